"""``kinga stats …``: the evaluator's command line. Each sub-command lives in
``kinga/stats/commands/<name>.py`` and exposes ``register(subparsers)``; the function it
sets as ``handler`` returns a list of :class:`Estimate` (or raises ``UsageError``)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

from kinga.stats.errors import StatsInputError

COMMANDS = ("survey", "did", "rds", "nsum", "capture")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kinga stats", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"kinga.stats.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        estimates = args.handler(args)
    except (StatsInputError, FileNotFoundError) as exc:
        print(f"kinga stats {args.command}: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "json", False):
        for estimate in estimates:
            print(json.dumps(estimate.as_dict(), sort_keys=True))
    else:
        for estimate in estimates:
            print(format_estimate(estimate))
    return 0


def format_estimate(e: object) -> str:
    from kinga.stats.result import Estimate

    assert isinstance(e, Estimate)
    by = " ".join(f"{k}={v}" for k, v in e.by.items())
    deff = f"  deff {e.deff:.4g}" if e.deff is not None else ""
    return (
        f"{e.label}{(' [' + by + ']') if by else ''}: {e.estimate:.6g}  se {e.se:.6g}  "
        f"{int(e.level * 100)}% CI {e.ci_low:.6g} to {e.ci_high:.6g}  df {e.df:g}{deff}  "
        f"n {e.n}  ({e.method})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
