"""``kinga stats rds``: prevalence from a respondent-driven sample.

The recruiter column marks seeds with an empty value or ``seed``, ``0``, ``-1`` or
``NA`` - unless that value is itself a respondent id (see
:mod:`kinga.stats.rds.tree`). Any other recruiter that is not an id is an error.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import numpy as np

from kinga.stats.errors import StatsInputError
from kinga.stats.multiplier import multiplier_from_rds
from kinga.stats.rds import (
    ESTIMATORS,
    Categorical,
    EstimatorName,
    RDSSample,
    build_sample,
    categorical,
    default_activity_level,
    differential_activity,
    population_homophily,
    rds_proportions,
)
from kinga.stats.rds.estimate import prepare
from kinga.stats.rds_io import read_columns, to_float
from kinga.stats.result import Estimate

ESTIMATOR_CHOICES = {name.upper(): name for name in ESTIMATORS}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "rds",
        help="RDS-I / RDS-II / SS prevalence from a respondent-driven sample",
        description=__doc__,
    )
    parser.add_argument("file", help="CSV file, one row per respondent")
    parser.add_argument("--id", required=True, help="respondent id column")
    parser.add_argument("--recruiter", required=True, help="recruiter id column")
    parser.add_argument("--degree", required=True, help="network size (degree) column")
    parser.add_argument("--outcome", required=True, help="categorical trait column")
    parser.add_argument(
        "--estimator",
        default="RDS-II",
        type=str.upper,
        choices=sorted(ESTIMATOR_CHOICES),
        help="RDS-I, RDS-I-DS (data-smoothed), RDS-II (default) or SS (needs --N)",
    )
    parser.add_argument("--N", dest="population_size", type=float, help="population size")
    parser.add_argument("--exclude-seeds", action="store_true", help="leave the seeds out")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="B", help="replicates")
    parser.add_argument("--seed", type=int, help="random seed for the bootstrap")
    parser.add_argument(
        "--within-group",
        choices=("uniform", "degree"),
        default="uniform",
        help="bootstrap draw of a degree within a group (uniform = Salganik 2006)",
    )
    parser.add_argument("--interval", choices=("normal", "percentile"), default="normal")
    parser.add_argument("--level", type=float, default=0.95, help="confidence level")
    parser.add_argument(
        "--diagnostics",
        action="store_true",
        help="also print population homophily per level and differential activity",
    )
    parser.add_argument(
        "--multiplier",
        type=float,
        metavar="M",
        help="benchmark count M: also print the multiplier-method size M / p",
    )
    parser.add_argument(
        "--multiplier-level",
        metavar="VALUE",
        help="outcome value meaning 'in the benchmark' (needed with --multiplier)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per estimate")
    parser.set_defaults(handler=handle)


def resolve_seed(seed: int | None) -> tuple[int, str]:
    """``seed``, or a fresh one, with a note that lets the run be repeated exactly."""
    if seed is None:
        fresh = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
        return fresh, f"bootstrap seed {fresh} (pass --seed to fix)"
    return seed, f"bootstrap seed {seed}"


def handle(args: argparse.Namespace) -> list[Estimate]:
    columns = read_columns(args.file, [args.id, args.recruiter, args.degree, args.outcome])
    sample = build_sample(
        columns[args.id],
        columns[args.recruiter],
        # Missing degrees pass through as nan so the tree check names the respondent.
        to_float(columns[args.degree], args.degree, allow_missing=True),
    )
    outcome = categorical(columns[args.outcome], args.outcome)
    estimator = ESTIMATOR_CHOICES[args.estimator]
    if args.bootstrap < 0:
        raise StatsInputError("--bootstrap must be >= 0")
    seed, seed_note = resolve_seed(args.seed) if args.bootstrap else (0, "")
    estimates = rds_proportions(
        sample,
        outcome,
        estimator=estimator,
        population_size=args.population_size,
        exclude_seeds=args.exclude_seeds,
        bootstrap=args.bootstrap,
        rng=np.random.default_rng(seed) if args.bootstrap else None,
        within_group=args.within_group,
        interval=args.interval,
        level=args.level,
        label=args.outcome,
    )
    if args.diagnostics:
        estimates += _diagnostics(sample, outcome, estimator, args)
    if args.multiplier is not None:
        if args.multiplier_level is None:
            raise StatsInputError("--multiplier needs --multiplier-level (the 'yes' value)")
        estimates.append(
            multiplier_from_rds(
                sample,
                outcome,
                in_benchmark=args.multiplier_level,
                benchmark=args.multiplier,
                estimator=estimator,
                population_size=args.population_size,
                exclude_seeds=args.exclude_seeds,
                bootstrap=args.bootstrap,
                rng=np.random.default_rng(seed) if args.bootstrap else None,
                within_group=args.within_group,
                level=args.level,
            )
        )
    if seed_note:
        estimates = [dataclasses.replace(e, notes=(*e.notes, seed_note)) for e in estimates]
    return estimates


def _diagnostics(
    sample: RDSSample, outcome: Categorical, estimator: EstimatorName, args: argparse.Namespace
) -> list[Estimate]:
    """Homophily per level (one value for two levels) and differential activity."""
    analysed, trait = prepare(sample, outcome, exclude_seeds=args.exclude_seeds)
    weight_type: EstimatorName = estimator
    nan = float("nan")
    out: list[Estimate] = []
    levels = trait.levels if trait.k > 2 else trait.levels[-1:]
    for level in levels:
        value = population_homophily(
            analysed,
            trait,
            level=trait.levels.index(level),
            estimator=weight_type,
            population_size=args.population_size,
        )
        out.append(
            Estimate(
                estimate=value,
                se=nan,
                ci_low=nan,
                ci_high=nan,
                n=analysed.n,
                method=f"population homophily (Gile-Handcock 2010), {weight_type} weights",
                label=f"homophily({args.outcome}={level})",
                by={"level": level},
            )
        )
    ratio = differential_activity(
        analysed, trait, estimator=weight_type, population_size=args.population_size
    )
    numerator = trait.levels[default_activity_level(trait)]
    out.append(
        Estimate(
            estimate=ratio,
            se=nan,
            ci_low=nan,
            ci_high=nan,
            n=analysed.n,
            method=f"differential activity (mean degree ratio), {weight_type} weights",
            label=f"activity({args.outcome}={numerator} vs rest)",
            by={"level": numerator},
        )
    )
    return out
