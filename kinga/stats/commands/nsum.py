"""``kinga stats nsum``: network scale-up size of a hidden population.

``--known COL=SIZE`` names a column of "how many people do you know in this
population?" answers and that population's size; give it once per known population.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import numpy as np

from kinga.stats.commands.rds import resolve_seed
from kinga.stats.errors import StatsInputError
from kinga.stats.nsum import nsum_size
from kinga.stats.rds_io import read_columns, to_float
from kinga.stats.result import Estimate


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "nsum", help="network scale-up estimate of a hidden population's size", description=__doc__
    )
    parser.add_argument("file", help="CSV file, one row per respondent")
    parser.add_argument(
        "--known", action="append", required=True, metavar="COL=SIZE", help="known population"
    )
    parser.add_argument("--hidden", required=True, metavar="COL", help="hidden-population column")
    parser.add_argument(
        "--N", dest="population_size", type=float, required=True, help="total population size"
    )
    parser.add_argument("--weights", metavar="COL", help="survey weight column")
    parser.add_argument("--strata", metavar="COL", help="strata column (rescaled bootstrap)")
    parser.add_argument("--psu", metavar="COL", help="cluster column (rescaled bootstrap)")
    parser.add_argument("--degree-ratio", type=float, default=1.0, help="hidden/overall degree")
    parser.add_argument("--tx-rate", type=float, default=1.0, help="true-positive rate")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="B", help="replicates")
    parser.add_argument("--bootstrap-method", choices=("rescaled", "simple"), default="rescaled")
    parser.add_argument("--seed", type=int, help="random seed for the bootstrap")
    parser.add_argument("--level", type=float, default=0.95, help="confidence level")
    parser.add_argument("--json", action="store_true", help="one JSON object per estimate")
    parser.set_defaults(handler=handle)


def parse_known(specs: list[str]) -> list[tuple[str, float]]:
    """``["nurses=50", …]`` → ``[("nurses", 50.0), …]``, with a clear error otherwise."""
    out: list[tuple[str, float]] = []
    for spec in specs:
        column, sep, size = spec.rpartition("=")
        if not sep or not column:
            raise StatsInputError(f"--known {spec!r}: expected COL=SIZE")
        try:
            value = float(size)
        except ValueError:
            raise StatsInputError(f"--known {spec!r}: size {size!r} is not a number") from None
        if not value > 0:
            raise StatsInputError(f"--known {spec!r}: size must be > 0")
        out.append((column, value))
    return out


def handle(args: argparse.Namespace) -> list[Estimate]:
    known = parse_known(args.known)
    names = [name for name, _ in known]
    design = [c for c in (args.weights, args.strata, args.psu) if c]
    columns = read_columns(args.file, [*names, args.hidden, *design])
    counts = np.column_stack([to_float(columns[name], name) for name in names])
    hidden = to_float(columns[args.hidden], args.hidden)
    weights = to_float(columns[args.weights], args.weights) if args.weights else None
    if args.bootstrap < 0:
        raise StatsInputError("--bootstrap must be >= 0")
    seed, seed_note = resolve_seed(args.seed) if args.bootstrap else (0, "")
    estimate = nsum_size(
        counts,
        [size for _, size in known],
        hidden,
        args.population_size,
        weights=weights,
        degree_ratio=args.degree_ratio,
        tx_rate=args.tx_rate,
        bootstrap=args.bootstrap,
        bootstrap_kind=args.bootstrap_method,
        strata=columns[args.strata] if args.strata else None,
        clusters=columns[args.psu] if args.psu else None,
        rng=np.random.default_rng(seed) if args.bootstrap else None,
        level=args.level,
        known_names=names,
        hidden_name=args.hidden,
    )
    if seed_note:
        estimate = dataclasses.replace(estimate, notes=(*estimate.notes, seed_note))
    return [estimate]
