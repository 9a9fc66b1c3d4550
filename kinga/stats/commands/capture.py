"""``kinga stats capture``: two-source capture-recapture population size."""

from __future__ import annotations

import argparse
from typing import Any

from kinga.stats.capture import capture_recapture
from kinga.stats.result import Estimate


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "capture",
        help="Lincoln-Petersen / Chapman population size from two lists",
        description=__doc__,
    )
    parser.add_argument("--marked", type=int, required=True, metavar="M", help="on list 1")
    parser.add_argument("--caught", type=int, required=True, metavar="n", help="on list 2")
    parser.add_argument("--recaptured", type=int, required=True, metavar="m", help="on both lists")
    parser.add_argument(
        "--method",
        type=str.lower,
        choices=("petersen", "chapman"),
        default="chapman",
        help="chapman (default; defined when m = 0) or petersen",
    )
    parser.add_argument("--level", type=float, default=0.95, help="confidence level")
    parser.add_argument("--json", action="store_true", help="one JSON object per estimate")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> list[Estimate]:
    return [
        capture_recapture(
            args.marked, args.caught, args.recaptured, method=args.method, level=args.level
        )
    ]
