"""Dot-and-interval charts (matplotlib, Agg backend) of one indicator by round.

One row per category (everyone, then each respondent group, then each county); one dot
per round with its 95 % interval. Suppressed cells are left out of the chart and marked
in the table that always accompanies it.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from kinga.research.analysis import Cell, IndicatorReport

# Okabe–Ito colours: distinguishable with colour-blindness, and markers differ too.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
MARKERS = ("o", "s", "^", "D")


def _rows(report: IndicatorReport, everyone: str) -> tuple[list[tuple[str, list[Cell]]], list[int]]:
    """Chart rows (label, cells) and the row indices where a new section starts."""
    rows: list[tuple[str, list[Cell]]] = [(everyone, report.by_round)]
    starts: list[int] = []
    for cells in (report.by_group, report.by_county):
        seen: dict[str, list[Cell]] = {}
        for cell in cells:
            seen.setdefault(cell.keys["level"], []).append(cell)
        if seen:
            starts.append(len(rows))
        rows.extend(seen.items())
    return rows, starts


def indicator_svg(report: IndicatorReport, *, rounds: list[str], everyone: str, axis: str) -> bytes:
    """The chart as SVG bytes (text kept as text, so it stays small and searchable)."""
    rows, starts = _rows(report, everyone)
    scale = 100.0 if report.percent else 1.0
    height = 1.2 + 0.42 * len(rows) * max(1, len(rounds)) ** 0.5
    figure = Figure(figsize=(7.0, height))
    ax = figure.subplots()
    offsets = [(i - (len(rounds) - 1) / 2) * 0.22 for i in range(len(rounds))]
    for r, round_label in enumerate(rounds):
        xs, ys, lows, highs = [], [], [], []
        for y, (_label, cells) in enumerate(rows):
            cell = next((c for c in cells if c.keys.get("round") == round_label), None)
            if cell is None or cell.estimate is None:
                continue
            e = cell.estimate
            xs.append(e.estimate * scale)
            ys.append(y + offsets[r])
            lows.append((e.estimate - max(e.ci_low, -1e300)) * scale)
            highs.append((e.ci_high - e.estimate) * scale)
        if xs:
            ax.errorbar(
                xs, ys, xerr=[lows, highs], fmt=MARKERS[r % 4], color=COLOURS[r % 4],
                ecolor=COLOURS[r % 4], elinewidth=1.6, capsize=3, markersize=6, label=round_label,
            )  # fmt: skip
    for start in starts:
        ax.axhline(start - 0.5, color="#999999", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [label for label, _cells in rows])
    ax.invert_yaxis()
    if report.percent:
        ax.set_xlim(0, 100)
    ax.set_xlabel(axis)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(rounds) > 1:
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(rounds), frameon=False)
    figure.tight_layout()
    out = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kinga"}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
