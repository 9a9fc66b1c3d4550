"""``kinga stats survey``: design-based means, totals, proportions and ratios of a CSV.

Example::

    kinga stats survey apistrat.csv --weights pw --strata stype --fpc fpc \\
        --mean api00 --by stype --domain "enroll >= 100" --deff --json

Design options mirror R's ``svydesign``: ``--psu``/``--psu2`` are ``ids=~psu+psu2``,
``--fpc``/``--fpc2`` its ``fpc=~fpc+fpc2`` (population counts or sampling fractions),
``--nest`` its ``nest=TRUE``; without ``--weights`` the weights come from the fpc.
Missing values of the analysed variable are left out (R's ``na.rm=TRUE``) and the
result says how many; ``--na fail`` makes them an error instead.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

from kinga.stats.design import LONELY_PSU_OPTIONS, BoolArray, SurveyDesign
from kinga.stats.domain import domain_mask
from kinga.stats.errors import StatsInputError
from kinga.stats.io import Table, read_csv
from kinga.stats.result import Estimate
from kinga.stats.survey.estimators import (
    survey_mean,
    survey_proportions,
    survey_ratio,
    survey_total,
)
from kinga.stats.survey.groups import by_groups
from kinga.stats.survey.intervals import PROPORTION_CI_METHODS


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "survey",
        help="design-based estimates from a survey CSV (Taylor linearisation)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", help="CSV file with a header line")
    add_design_arguments(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--mean", metavar="VAR", help="mean of VAR (per level if VAR is text)")
    what.add_argument("--total", metavar="VAR", help="total of VAR (per level if text)")
    what.add_argument("--prop", metavar="VAR", help="proportion in each level of VAR")
    what.add_argument("--ratio", nargs=2, metavar=("NUM", "DEN"), help="ratio of totals")
    parser.add_argument("--by", nargs="+", metavar="VAR", default=[], help="estimate per group")
    parser.add_argument("--domain", metavar="EXPR", help="subpopulation, e.g. \"stype == 'E'\"")
    parser.add_argument("--deff", action="store_true", help="report the design effect")
    parser.add_argument(
        "--ci",
        choices=PROPORTION_CI_METHODS,
        default="logit",
        help="interval for --prop: logit (R svyciprop default), beta (Korn-Graubard), "
        "wilson or wald",
    )
    parser.add_argument("--level", type=float, default=0.95, help="confidence level (0.95)")
    parser.add_argument(
        "--na",
        choices=("drop", "fail"),
        default="drop",
        help="missing values of the analysed variable: drop (default, reported) or fail",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per estimate")
    parser.set_defaults(handler=run)


def add_design_arguments(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """The ``svydesign`` options, shared by ``survey`` and ``did``."""
    group = parser.add_argument_group("survey design")
    group.add_argument("--weights", metavar="W", required=required, help="sampling weights")
    group.add_argument("--strata", metavar="S", required=required, help="stratum column")
    group.add_argument("--psu", metavar="P", required=required, help="primary sampling unit")
    group.add_argument("--psu2", metavar="P2", help="second-stage unit within the PSU")
    group.add_argument("--fpc", metavar="F", help="stage-1 population size or fraction")
    group.add_argument("--fpc2", metavar="F2", help="stage-2 population size or fraction")
    group.add_argument("--nest", action="store_true", help="PSU labels restart in each stratum")
    group.add_argument(
        "--lonely-psu",
        choices=LONELY_PSU_OPTIONS,
        default="fail",
        help="strata with a single PSU (R's survey.lonely.psu; default fail)",
    )


def design_from_args(table: Table, args: argparse.Namespace) -> SurveyDesign:
    """Build the design from the columns named on the command line."""
    numeric = {"weights": args.weights, "fpc": args.fpc, "fpc2": args.fpc2}
    labels = {"strata": args.strata, "psu": args.psu, "psu2": args.psu2}
    table.require(*[name for name in (*numeric.values(), *labels.values()) if name])
    if args.psu2 and not args.psu:
        raise StatsInputError("--psu2 needs --psu")
    if args.fpc2 and not (args.fpc and args.psu2):
        raise StatsInputError("--fpc2 needs --fpc and --psu2")
    columns: dict[str, Any] = {
        key: table.numeric(name) if name else None for key, name in numeric.items()
    }
    for key, name in labels.items():
        columns[key] = _labels(table, name) if name else None
    try:
        return SurveyDesign(
            columns["weights"],
            strata=columns["strata"],
            psu=columns["psu"],
            psu2=columns["psu2"],
            fpc=columns["fpc"],
            fpc2=columns["fpc2"],
            nest=args.nest,
            lonely_psu=args.lonely_psu,
            n_rows=table.n_rows,
        )
    except StatsInputError as exc:
        raise StatsInputError(_name_columns(str(exc), numeric | labels)) from None


def run(args: argparse.Namespace) -> list[Estimate]:
    table = read_csv(args.file)
    design = design_from_args(table, args)
    variables = [v for v in (args.mean, args.total, args.prop) if v] + list(args.ratio or [])
    table.require(*variables, *args.by)
    if not 0 < args.level < 1:
        raise StatsInputError(f"--level must be between 0 and 1, not {args.level}")
    domain = domain_mask(table, args.domain) if args.domain else None
    estimate = _estimator(table, design, args)
    if not args.by:
        return estimate(domain, {})
    results: list[Estimate] = []
    columns = {name: _labels(table, name) for name in args.by}
    for keys, group in by_groups(columns, {name: table.missing(name) for name in args.by}):
        rows = group if domain is None else group & domain
        if rows.any():
            results.extend(estimate(rows, keys))
    if not results:
        raise StatsInputError("no by-group has rows in the domain")
    return results


Estimator = Callable[[BoolArray | None, dict[str, Any]], list[Estimate]]


def _estimator(table: Table, design: SurveyDesign, args: argparse.Namespace) -> Estimator:
    """The statistic asked for, as a function of (domain rows, by keys)."""
    na_rm = args.na == "drop"
    common = {"deff": args.deff, "level": args.level, "na_rm": na_rm}

    if args.ratio:
        num, den = args.ratio
        y, x = table.numeric(num), table.numeric(den)
        missing = np.isnan(y) | np.isnan(x)

        def ratio(rows: BoolArray | None, keys: dict[str, Any]) -> list[Estimate]:
            result = survey_ratio(
                design,
                y,
                x,
                domain=rows,
                na_rm=na_rm,
                level=args.level,
                label=f"ratio({num}/{den})",
                by=keys,
            )
            return [_with_na_note(result, missing, rows, f"{num} or {den}")]

        return ratio

    name = args.mean or args.total or args.prop
    missing = table.missing(name)
    if args.prop or not table.is_numeric(name):
        statistic = "prop" if args.prop else ("mean" if args.mean else "total")
        values = _labels(table, name)

        def categorical(rows: BoolArray | None, keys: dict[str, Any]) -> list[Estimate]:
            if statistic == "total":
                results = _level_totals(design, values, missing, rows, name, keys, common)
            else:
                results = survey_proportions(
                    design,
                    values,
                    missing=missing,
                    domain=rows,
                    na_rm=na_rm,
                    method=args.ci if statistic == "prop" else "wald",
                    deff=args.deff,
                    level=args.level,
                    name=name,
                    statistic=statistic,
                    by=keys,
                )
            return [_with_na_note(r, missing, rows, name) for r in results]

        return categorical

    y = table.numeric(name)
    function = survey_mean if args.mean else survey_total
    statistic = "mean" if args.mean else "total"

    def numeric(rows: BoolArray | None, keys: dict[str, Any]) -> list[Estimate]:
        result = function(design, y, domain=rows, label=f"{statistic}({name})", by=keys, **common)
        return [_with_na_note(result, missing, rows, name)]

    return numeric


def _level_totals(
    design: SurveyDesign,
    values: np.ndarray[Any, Any],
    missing: BoolArray,
    rows: BoolArray | None,
    name: str,
    keys: dict[str, Any],
    common: dict[str, Any],
) -> list[Estimate]:
    """R's ``svytotal(~factor)``: the estimated count in each level."""
    in_use = ~missing if rows is None else ~missing & rows
    results = []
    for level in np.unique(values[in_use]):
        indicator = np.where(missing, np.nan, (values == level).astype(np.float64))
        shown = int(level) if isinstance(level, float) and level.is_integer() else level
        results.append(
            survey_total(
                design, indicator, domain=rows, label=f"total({name}={shown})", by=keys, **common
            )
        )
    return results


def _with_na_note(
    estimate: Estimate, missing: BoolArray, rows: BoolArray | None, name: str
) -> Estimate:
    dropped = int((missing if rows is None else missing & rows).sum())
    if not dropped:
        return estimate
    note = f"{dropped} row(s) with missing {name} left out (as R's na.rm=TRUE)"
    return Estimate(**{**estimate.__dict__, "notes": (*estimate.notes, note)})


def _labels(table: Table, name: str) -> np.ndarray[Any, Any]:
    """Numbers when the column is numeric (so levels sort as numbers), else text."""
    return table.numeric(name) if table.is_numeric(name) else table.text(name)


def _name_columns(message: str, columns: dict[str, str | None]) -> str:
    """Say ``--weights pw`` rather than ``weights`` in design errors."""
    for key, column in columns.items():
        if column and message.startswith(f"{key} "):
            return f"--{key} column {column!r}: {message[len(key) + 1 :]}"
    return message
