"""The pseudonymised case list as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from kinga.cases.exports.selectors import PSEUDONYMISED_COLUMNS

#: Cells a spreadsheet would run as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def rows_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PSEUDONYMISED_COLUMNS)
    for row in rows:
        writer.writerow([_safe(row[c]) for c in PSEUDONYMISED_COLUMNS])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read UTF-8


def about_lines() -> list[tuple[str, str]]:
    return [
        ("pseudonym", _("Stable per child within this organisation's exports; not reversible.")),
        ("age_band_at_registration", _("Age band when the case was registered.")),
        ("categories", _("Case category codes, separated by ';'.")),
        ("registered_month", _("Month of registration (YYYY-MM); exact dates are not exported.")),
        ("closure_outcome", _("Outcome of the approved closure, if closed.")),
        ("services / referrals / follow_ups", _("Counts recorded on the case.")),
        ("research_consent", _("Whether consent in force covers pseudonymised research.")),
    ]


def rows_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Cases")[:31]
    sheet.append(list(PSEUDONYMISED_COLUMNS))
    for row in rows:
        sheet.append([_safe(row[c]) for c in PSEUDONYMISED_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    about = book.create_sheet(_("About")[:31])
    about.append([_("Pseudonymised case list: no names, phones, exact locations or notes.")])
    about["A1"].font = Font(bold=True)
    for column, meaning in about_lines():
        about.append([column, meaning])
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
