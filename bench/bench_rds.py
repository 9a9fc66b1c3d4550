"""RDS bootstrap speed: 1000 Markov-chain bootstrap replicates on n = 500.

Budget (issue 4): <= 1 s. Run ``.venv/bin/python bench/bench_rds.py`` (prints JSON) or
``python -m bench rds``; or import ``run()``. The sample is a synthetic recruitment
tree (seeded, so every run times the same data): 10 seeds, each later respondent
recruited by an earlier one, degrees 1-60, a two-level trait with homophily. Each
estimator is timed as the median of ``repeats`` full bootstraps, the estimate included.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from kinga.stats.rds import Categorical, RDSSample

N_RESPONDENTS = 500
REPLICATES = 1000
BUDGET_SECONDS = 1.0


def _import_path() -> None:
    """Make ``kinga`` importable when run as ``python bench/bench_rds.py``."""
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)


def synthetic_sample(n: int = N_RESPONDENTS, seed: int = 20240601) -> tuple[RDSSample, Categorical]:
    """A seeded recruitment tree with a homophilous binary trait."""
    _import_path()
    from kinga.stats.rds import build_sample, categorical

    rng = np.random.default_rng(seed)
    seeds = 10
    parent = np.concatenate(
        (np.full(seeds, -1), [rng.integers(0, i) for i in range(seeds, n)])
    ).astype(int)
    trait = np.empty(n, dtype=int)
    trait[:seeds] = rng.integers(0, 2, size=seeds)
    for i in range(seeds, n):  # recruits share their recruiter's trait 70% of the time
        trait[i] = trait[parent[i]] if rng.random() < 0.7 else rng.integers(0, 2)
    degree = rng.integers(1, 61, size=n) + 10 * trait
    ids = [f"r{i}" for i in range(n)]
    recruiters = ["seed" if p < 0 else f"r{p}" for p in parent]
    labels = np.where(trait == 1, "yes", "no").tolist()
    return build_sample(ids, recruiters, degree.astype(float)), categorical(labels)


def run(*, repeats: int = 5) -> dict[str, object]:
    _import_path()
    from kinga.stats.rds import ESTIMATORS, rds_proportions

    sample, outcome = synthetic_sample()
    timings: dict[str, float] = {}
    for estimator in ESTIMATORS:
        for within_group in ("uniform", "degree"):
            seconds = []
            for repeat in range(repeats):
                start = time.perf_counter()
                rds_proportions(
                    sample,
                    outcome,
                    estimator=estimator,
                    population_size=5000,
                    bootstrap=REPLICATES,
                    rng=np.random.default_rng(repeat),
                    within_group=within_group,
                )
                seconds.append(time.perf_counter() - start)
            timings[f"{estimator}/{within_group}"] = round(statistics.median(seconds), 4)
    slowest = max(timings.values())
    return {
        "n": N_RESPONDENTS,
        "replicates": REPLICATES,
        "median_seconds": timings,
        "slowest_seconds": slowest,
        "budget_seconds": BUDGET_SECONDS,
        "within_budget": slowest <= BUDGET_SECONDS,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, sort_keys=True))
