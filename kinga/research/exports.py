"""The report as an XLSX workbook (openpyxl) or a PDF (reportlab).

Both hold only what the page shows: aggregates with small cells suppressed.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.research.analysis import IndicatorReport, Report
from kinga.research.tables import estimate_strings, indicator_sections, p_text

#: A text cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Titles, labels, category levels and notes come from uploaded files and forms; a cell
    such as ``=HYPERLINK(…)`` must reach the reader as text, not as a live formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _append(sheet, row: list[object]) -> None:  # type: ignore[no-untyped-def]
    sheet.append([spreadsheet_safe(v) for v in row])


def _about(report: Report) -> list[tuple[str, str]]:
    ds = report.dataset
    return [
        (_("Dataset"), ds.title),
        (_("Description"), ds.description),
        (_("File"), ds.original_filename),
        (_("Rows"), str(ds.row_count)),
        (_("Design"), report.description or report.problem),
        (
            _("Small cells"),
            _("Estimates from fewer than %(n)d respondents are suppressed.")
            % {"n": report.small_cell},
        ),
        (_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]


def _did_rows(ind: IndicatorReport) -> list[list[str]]:
    did = ind.did
    if did is None:
        return []
    rows = []
    for cell in did.cells:
        est, ci, _se = estimate_strings(cell.estimate, ind.percent)
        rows.append(
            [
                cell.keys["arm"],
                cell.keys["round"],
                est,
                ci,
                str(cell.n) if not cell.suppressed else "—",
            ]
        )
    return rows


def report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    about = book.active
    about.title = _("About")[:31]
    _append(about, [_("Baseline/endline report")])
    about["A1"].font = Font(bold=True, size=14)
    for key, value in _about(report):
        _append(about, [key, value])
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100

    est = book.create_sheet(_("Estimates")[:31])
    _append(est,
        [_("Indicator"), _("Table"), _("Category"), _("Round"), _("Estimate"), _("95% CI low"),
         _("95% CI high"), _("Standard error"), _("Respondents"), _("Note")]
    )  # fmt: skip
    for ind in report.indicators:
        if ind.problem:
            _append(
                est, [ind.indicator.label, "", "", "", None, None, None, None, None, ind.problem]
            )
        for section in indicator_sections(report, ind):
            for row in section.rows:
                value, low, high, se, n = row.values
                _append(est,
                    [ind.indicator.label, section.title, row.level, row.round, value, low, high, se,
                     n if n is not None else row.n, row.note]
                )  # fmt: skip
    for cell in est[1]:
        cell.font = Font(bold=True)
    for column in "EFGH":
        for cell in est[column][1:]:
            cell.number_format = "0.0000"

    did = book.create_sheet(_("Difference-in-differences")[:31])
    _append(
        did,
        [
            _("Indicator"),
            _("Comparison, baseline"),
            _("Comparison, endline"),
            _("Treated, baseline"),
            _("Treated, endline"),
            _("Difference-in-differences"),
            _("Standard error"),
            _("95% CI low"),
            _("95% CI high"),
            _("p-value"),
            _("Note"),
        ],
    )
    for ind in report.indicators:
        if ind.did is None:
            continue
        means = [c.estimate.estimate if c.estimate else None for c in ind.did.cells]
        d = ind.did.did
        note = ind.did.problem or (
            _("suppressed: a cell has too few respondents") if ind.did.suppressed else ""
        )
        _append(did,
            [ind.indicator.label, *means, d.estimate if d else None, d.se if d else None,
             d.ci_low if d else None, d.ci_high if d else None, ind.did.p_value, note]
        )  # fmt: skip

    exp = book.create_sheet(_("Exposure (association)")[:31])
    _append(exp,
        [_("Indicator"), _("Exposed"), _("Not exposed"), _("Adjusted difference (association)"),
         _("Standard error"), _("95% CI low"), _("95% CI high"), _("p-value"), _("Adjusted for"),
         _("Note")]
    )  # fmt: skip
    for ind in report.indicators:
        x = ind.exposure
        if x is None:
            continue
        a = x.association
        note = x.problem or (_("suppressed: too few respondents") if x.suppressed else "")
        _append(exp,
            [ind.indicator.label,
             x.exposed.estimate.estimate if x.exposed.estimate else None,
             x.unexposed.estimate.estimate if x.unexposed.estimate else None,
             a.estimate if a else None, a.se if a else None, a.ci_low if a else None,
             a.ci_high if a else None, x.p_value, ", ".join(x.adjusted_for), note]
        )  # fmt: skip
    for sheet in (est, did, exp):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    story: list[object] = []
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, title=report.dataset.title, author="Kinga",
        leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=1.5 * cm, bottomMargin=1.5 * cm,
    )  # fmt: skip

    def para(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(text), styles[style])

    def table(rows: list[list[str]]) -> Table:
        body = [[para(str(c), "BodyText") for c in row] for row in rows]
        t = Table(body, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f5f7")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d1d9")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    story.append(para(report.dataset.title, "Title"))
    for key, value in _about(report):
        if value:
            story.append(Paragraph(f"<b>{escape(key)}:</b> {escape(value)}", styles["BodyText"]))
    for ind in report.indicators:
        story.append(Spacer(1, 0.4 * cm))
        story.append(para(ind.indicator.label, "Heading2"))
        if ind.problem:
            story.append(para(ind.problem))
            continue
        for section in indicator_sections(report, ind):
            story.append(para(section.title, "Heading4"))
            head = [_("Category"), _("Round"), _("Estimate"), _("95% CI"), _("n"), _("Note")]
            rows = [head] + [
                [r.level or "—", r.round, r.estimate, r.ci, r.n, r.note] for r in section.rows
            ]
            story.append(table(rows))
        if ind.did is not None:
            story.append(para(_("Difference-in-differences"), "Heading4"))
            rows = [[_("Arm"), _("Round"), _("Mean"), _("95% CI"), _("n")], *_did_rows(ind)]
            story.append(table(rows))
            d = ind.did.did
            if d is not None:
                est, ci, se = estimate_strings(d, False)
                if ind.percent:
                    est = f"{d.estimate * 100:.1f} " + _("points")
                    ci = f"{d.ci_low * 100:.1f} – {d.ci_high * 100:.1f}"
                    se = f"{d.se * 100:.2f}"
                story.append(
                    para(
                        _(
                            "Difference-in-differences: %(est)s "
                            "(95%% CI %(ci)s; SE %(se)s; p %(p)s)."
                        )
                        % {"est": est, "ci": ci, "se": se, "p": p_text(ind.did.p_value)}
                    )
                )
            elif ind.did.suppressed:
                story.append(para(_("Not shown: a cell has too few respondents.")))
            elif ind.did.problem:
                story.append(para(ind.did.problem))
        x = ind.exposure
        if x is not None:
            story.append(
                para(_("Endline exposure comparison (an association, not an effect)"), "Heading4")
            )
            a = x.association
            if a is not None:
                scale = 100 if ind.percent else 1
                story.append(
                    para(
                        _(
                            "Exposed %(e)s, not exposed %(u)s; adjusted difference %(d).2f "
                            "(95%% CI %(l).2f – %(h).2f; p %(p)s)."
                        )
                        % {
                            "e": estimate_strings(x.exposed.estimate, ind.percent)[0],
                            "u": estimate_strings(x.unexposed.estimate, ind.percent)[0],
                            "d": a.estimate * scale, "l": a.ci_low * scale, "h": a.ci_high * scale,
                            "p": p_text(x.p_value),
                        }
                    )
                )  # fmt: skip
            else:
                story.append(para(x.problem or _("Not shown: too few respondents.")))
    doc.build(story)
    return out.getvalue()
