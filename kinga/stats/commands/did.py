"""``kinga stats did``: difference-in-differences on a stacked baseline + endline CSV.

Example::

    kinga stats did kap.csv --weights w --strata county --psu village \\
        --outcome knows_where_to_report --treated intervention --post endline --json

Prints the four weighted cell means, the ``treated`` and ``post`` coefficients and the
difference-in-differences (the ``treated:post`` coefficient of a survey-weighted linear
model with linearised variance, as R's ``svyglm``). With ``--exposure`` it adds an
endline comparison of exposed and unexposed respondents, adjusted for ``--covariates``
and labelled as an association.
"""

from __future__ import annotations

import argparse
from typing import Any

from kinga.stats.commands.survey import add_design_arguments, design_from_args
from kinga.stats.did import difference_in_differences, exposure_association
from kinga.stats.errors import StatsInputError
from kinga.stats.io import read_csv
from kinga.stats.result import Estimate


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "did",
        help="difference-in-differences with design-based standard errors",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", help="CSV with both rounds stacked")
    add_design_arguments(parser, required=True)
    parser.add_argument("--outcome", required=True, metavar="Y", help="outcome (numeric or 0/1)")
    parser.add_argument("--treated", required=True, metavar="T", help="0/1 intervention area")
    parser.add_argument("--post", required=True, metavar="POST", help="0/1 endline round")
    parser.add_argument("--exposure", metavar="E", help="0/1 exposure, compared at endline")
    parser.add_argument("--covariates", nargs="+", default=[], metavar="C", help="adjust for")
    parser.add_argument("--level", type=float, default=0.95, help="confidence level (0.95)")
    parser.add_argument("--json", action="store_true", help="one JSON object per estimate")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> list[Estimate]:
    table = read_csv(args.file)
    table.require(args.outcome, args.treated, args.post)
    if args.covariates and not args.exposure:
        raise StatsInputError("--covariates only apply to --exposure")
    if not 0 < args.level < 1:
        raise StatsInputError(f"--level must be between 0 and 1, not {args.level}")
    design = design_from_args(table, args)
    outcome = table.numeric(args.outcome)
    post = table.numeric(args.post)
    results = difference_in_differences(
        design,
        outcome,
        table.numeric(args.treated),
        post,
        level=args.level,
        outcome_name=args.outcome,
        treated_name=args.treated,
        post_name=args.post,
    )
    if args.exposure:
        table.require(args.exposure, *args.covariates)
        covariates = {
            name: table.numeric(name) if table.is_numeric(name) else table.text(name)
            for name in args.covariates
        }
        results.append(
            exposure_association(
                design,
                outcome,
                table.numeric(args.exposure),
                covariates,
                domain=post == 1,
                level=args.level,
                outcome_name=args.outcome,
                exposure_name=args.exposure,
            )
        )
    return results
