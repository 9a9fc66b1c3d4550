"""Report tables as rows of display values, shared by the page, the XLSX and the PDF.

Proportions are shown as percentages with one decimal; means with two. A suppressed
cell shows "n < 5" (the configured small-cell size) and no estimate, everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kinga.research.analysis import Cell, IndicatorReport, Report
from kinga.stats.result import Estimate


@dataclass
class Row:
    level: str
    round: str
    estimate: str
    ci: str
    se: str
    n: str
    note: str
    values: tuple[float | None, float | None, float | None, float | None, int | None]


def _fmt(value: float | None, percent: bool) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * 100:.1f}%" if percent else f"{value:.2f}"


def _se(value: float | None, percent: bool) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * 100:.2f}" if percent else f"{value:.3f}"


def estimate_strings(e: Estimate | None, percent: bool) -> tuple[str, str, str]:
    if e is None:
        return "—", "—", "—"
    low, high = (
        max(e.ci_low, 0.0) if percent else e.ci_low,
        min(e.ci_high, 1.0) if percent else e.ci_high,
    )
    return (
        _fmt(e.estimate, percent),
        f"{_fmt(low, percent)} – {_fmt(high, percent)}",
        _se(e.se, percent),
    )


def cell_row(cell: Cell, percent: bool, small: int, level: str = "") -> Row:
    est, ci, se = estimate_strings(cell.estimate, percent)
    note = ""
    n = str(cell.n)
    if cell.suppressed:
        note = _("suppressed: fewer than %(n)d respondents") % {"n": small}
        n = f"< {small}"
    elif cell.problem:
        note = cell.problem
    e = cell.estimate
    values = (
        (e.estimate, e.ci_low, e.ci_high, e.se, cell.n)
        if e is not None
        else (None, None, None, None, None if cell.suppressed else cell.n)
    )
    return Row(
        level or cell.keys.get("level", ""),
        cell.keys.get("round", ""),
        est,
        ci,
        se,
        n,
        note,
        values,
    )


def section_rows(cells: list[Cell], percent: bool, small: int) -> list[Row]:
    return [cell_row(cell, percent, small) for cell in cells]


def p_text(p: float | None) -> str:
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@dataclass
class Section:
    title: str
    rows: list[Row]


def indicator_sections(report: Report, ind: IndicatorReport) -> list[Section]:
    """The by-round, by-group and by-county tables of one indicator."""
    small = report.small_cell
    everyone = [cell_row(c, ind.percent, small, level=_("Everyone")) for c in ind.by_round]
    sections = [Section(_("By round"), everyone)]
    if ind.by_group:
        sections.append(
            Section(
                _("By %(what)s") % {"what": report.group_label or _("group")},
                section_rows(ind.by_group, ind.percent, small),
            )
        )
    if ind.by_county:
        sections.append(
            Section(
                _("By %(what)s") % {"what": report.county_label or _("county")},
                section_rows(ind.by_county, ind.percent, small),
            )
        )
    return sections
