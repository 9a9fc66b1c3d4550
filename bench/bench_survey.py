"""Survey estimate speed: Taylor-linearised mean, 2 strata x 400 PSUs x 100 000 rows.

Run ``.venv/bin/python bench/bench_survey.py`` (prints JSON), or ``python -m bench
survey``, or import ``run()``. Times kinga's estimate on a design built once, and
"build the design + estimate" (what a one-off call costs), as the median of repeats.
When the optional peers ``svy`` and ``samplics`` import (``pip install svy samplics``;
they are not dependencies of kinga), they are timed on the same data after a warm-up
call, and the agreement of estimate and standard error is reported with the speed
ratio. Data come from a seeded ``numpy.random.Generator``; nothing real.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kinga.stats.design import SurveyDesign  # noqa: E402
from kinga.stats.survey import survey_mean  # noqa: E402

N_ROWS = 100_000
N_STRATA = 2
PSUS_PER_STRATUM = 400
TARGET_MS = 5.0


def make_data(seed: int = 20240601) -> dict[str, np.ndarray]:
    """Two strata of 400 PSUs; PSU effects so the design effect is well above 1."""
    rng = np.random.default_rng(seed)
    stratum = np.repeat(np.arange(N_STRATA), N_ROWS // N_STRATA)
    psu = stratum * PSUS_PER_STRATUM + rng.integers(0, PSUS_PER_STRATUM, N_ROWS)
    psu_effect = rng.normal(0, 3, N_STRATA * PSUS_PER_STRATUM)
    y = 50 + 2 * stratum + psu_effect[psu] + rng.normal(0, 10, N_ROWS)
    weight = rng.uniform(50, 150, N_ROWS)
    return {"stratum": stratum, "psu": psu, "weight": weight, "y": y}


def median_ms(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times)


def _ours(data: dict[str, np.ndarray], repeats: int) -> dict[str, Any]:
    def build() -> SurveyDesign:
        return SurveyDesign(data["weight"], strata=data["stratum"], psu=data["psu"])

    design = build()
    estimate = survey_mean(design, data["y"])
    survey_mean(design, data["y"])  # warm caches, as for the peers
    return {
        "estimate": estimate.estimate,
        "se": estimate.se,
        "estimate_ms": median_ms(lambda: survey_mean(design, data["y"]), repeats),
        "build_and_estimate_ms": median_ms(lambda: survey_mean(build(), data["y"]), repeats),
    }


def _svy(data: dict[str, np.ndarray], repeats: int) -> dict[str, Any] | None:
    try:
        import polars as pl
        import svy
    except ImportError:
        return None
    frame = pl.DataFrame({k: data[k] for k in ("stratum", "psu", "weight", "y")})
    sample = svy.Sample(data=frame, design=svy.Design(stratum="stratum", psu="psu", wgt="weight"))

    def estimate() -> Any:
        return sample.estimation.mean(y="y").estimates[0]

    first = estimate()
    return {
        "version": getattr(svy, "__version__", "?"),
        "estimate": float(first.est),
        "se": float(first.se),
        "estimate_ms": median_ms(estimate, repeats),
    }


def _samplics(data: dict[str, np.ndarray], repeats: int) -> dict[str, Any] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "samplics is archived" FutureWarning
        try:
            import samplics
            from samplics.estimation import TaylorEstimator
            from samplics.utils.types import PopParam
        except ImportError:
            return None

    def estimate() -> TaylorEstimator:
        estimator = TaylorEstimator(PopParam.mean)
        estimator.estimate(
            y=data["y"], samp_weight=data["weight"], stratum=data["stratum"], psu=data["psu"]
        )
        return estimator

    first = estimate()
    return {
        "version": getattr(samplics, "__version__", "?"),
        "estimate": float(first.point_est),
        "se": float(first.stderror),
        "estimate_ms": median_ms(estimate, max(3, repeats // 5)),
    }


def _agreement(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    def rel(a: float, b: float) -> float:
        return abs(a - b) / abs(b) if b else abs(a - b)

    return {
        "estimate_rel_diff": rel(ours["estimate"], peer["estimate"]),
        "se_rel_diff": rel(ours["se"], peer["se"]),
        "speedup": peer["estimate_ms"] / ours["estimate_ms"],
    }


def run(repeats: int = 31) -> dict[str, Any]:
    """Time the benchmark; JSON-serialisable result."""
    data = make_data()
    ours = _ours(data, repeats)
    result: dict[str, Any] = {
        "rows": N_ROWS,
        "strata": N_STRATA,
        "psus": N_STRATA * PSUS_PER_STRATUM,
        "repeats": repeats,
        "target_ms": TARGET_MS,
        "kinga": ours,
        "within_target": ours["estimate_ms"] <= TARGET_MS,
        "peers": {},
    }
    for name, timer in (("svy", _svy), ("samplics", _samplics)):
        try:
            peer = timer(data, repeats)
        except Exception as exc:  # a broken optional peer must not hide our numbers
            result["peers"][name] = {"error": repr(exc)}
            continue
        if peer is None:
            result["peers"][name] = {"skipped": "not installed"}
        else:
            result["peers"][name] = {**peer, **_agreement(ours, peer)}
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, sort_keys=True))
