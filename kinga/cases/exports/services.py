"""Exports: check the permission, build the file, write the EXPORT audit event.

DESIGN.md invariant 7: identified data leaves only to someone with
``export_identified``, audited, and never cached (the views send ``no-store`` and
``attachment``). The summary can also leave as an AES-256 encrypted ZIP (WinZip AES,
opened by 7-Zip, WinRAR, macOS Archive Utility with Keka, or ``7z x``) under a one-time
passphrase shown on screen and never stored.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record
from kinga.cases.exports import pdf, tables
from kinga.cases.exports import selectors as export_selectors
from kinga.cases.models import Case
from kinga.cases.services._common import audit

PDF = "application/pdf"
ZIP = "application/zip"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PASSPHRASE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PASSPHRASE_GROUPS = 5  # 5 × 4 characters of 32 symbols = 100 bits
PASSPHRASE_MAX_AGE = 15 * 60  # seconds the passphrase page stays usable
_SALT = "kinga.cases.exports.zip-passphrase"


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def _stamp_time() -> str:
    return date_format(timezone.localtime(), "Y-m-d H:i T")


def _summary_pdf(actor: Any, case: Case) -> bytes:
    summary = export_selectors.case_summary(case)
    return pdf.case_summary_pdf(summary, exporter=actor.full_name, at=_stamp_time())


def case_summary_export(
    *, actor: Any, public_id: object, request: HttpRequest | None = None
) -> Export:
    """The identified case summary as a watermarked PDF."""
    case = export_selectors.case_for_summary_export(actor, public_id)
    content = _summary_pdf(actor, case)
    audit(
        actor=actor,
        action=AuditAction.EXPORT,
        target=case,
        case=case,
        fields=export_selectors.CaseSummary.GROUPS,
        request=request,
        detail={"format": "pdf", "encrypted": False},
    )
    return Export(content, PDF, f"{case.number}-summary.pdf")


# -- the encrypted ZIP -----------------------------------------------------------------


def new_passphrase() -> str:
    chars = "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(4 * PASSPHRASE_GROUPS))
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def passphrase_offer(*, actor: Any, public_id: object) -> tuple[Case, str, str]:
    """(case, passphrase, token) for the page that shows the passphrase once.

    The token is the passphrase signed for this user and case, so the download that
    follows encrypts with exactly what was shown, within ``PASSPHRASE_MAX_AGE``; the
    server keeps nothing.
    """
    case = export_selectors.case_for_summary_export(actor, public_id)
    passphrase = new_passphrase()
    token = signing.dumps(
        {"u": actor.pk, "c": str(case.public_id), "p": passphrase}, salt=_SALT, compress=True
    )
    return case, passphrase, token


def _passphrase_from(token: str, actor: Any, case: Case) -> str:
    try:
        data = signing.loads(token, salt=_SALT, max_age=PASSPHRASE_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("The passphrase has expired; start the encrypted export again.")
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("Start the encrypted export again.")) from None
    if data.get("u") != actor.pk or data.get("c") != str(case.public_id):
        raise Http404
    return str(data["p"])


def case_summary_encrypted_export(
    *, actor: Any, public_id: object, token: str, request: HttpRequest | None = None
) -> Export:
    """The summary PDF inside a ZIP encrypted with AES-256 under the shown passphrase."""
    import pyzipper

    case = export_selectors.case_for_summary_export(actor, public_id)
    passphrase = _passphrase_from(token, actor, case)
    content = _summary_pdf(actor, case)
    out = io.BytesIO()
    with pyzipper.AESZipFile(
        out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(passphrase.encode("ascii"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(f"{case.number}-summary.pdf", content)
    audit(
        actor=actor,
        action=AuditAction.EXPORT,
        target=case,
        case=case,
        fields=export_selectors.CaseSummary.GROUPS,
        request=request,
        detail={"format": "pdf", "encrypted": True},
    )
    return Export(out.getvalue(), ZIP, f"{case.number}-summary.zip")


# -- the pseudonymised case list -------------------------------------------------------


def case_list_export(*, actor: Any, fmt: str, request: HttpRequest | None = None) -> Export:
    """The organisation's cases, pseudonymised, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if not export_selectors.may_export_pseudonymised(actor):
        raise Http404
    rows = export_selectors.pseudonymised_rows(actor)
    content = tables.rows_csv(rows) if fmt == "csv" else tables.rows_xlsx(rows)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        target_type="cases.case",
        fields=export_selectors.PSEUDONYMISED_COLUMNS,
        request=request,
        detail={"format": fmt, "rows": len(rows), "pseudonymised": True},
    )
    stamp = timezone.localdate().isoformat()
    code = actor.organisation.code if actor.organisation else "cases"
    filename = f"{code}-cases-pseudonymised-{stamp}.{fmt}"
    return Export(content, CSV if fmt == "csv" else XLSX, filename)
