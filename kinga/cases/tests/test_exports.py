"""Exports: the identified case summary (PDF, encrypted ZIP) and the pseudonymised case
list (CSV, XLSX) — who may, what leaves, what is audited."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import re
import zlib

import pytest
import pyzipper
from django.test import Client

from kinga.audit.models import AuditAction, AuditEvent
from kinga.cases import services
from kinga.cases.exports.selectors import PSEUDONYMISED_COLUMNS, age_band, pseudonym
from kinga.cases.tests import factories as f
from kinga.core.testing import client_for


def _pdf_text(content: bytes) -> str:
    """The text drawn in a PDF's content streams (reportlab compresses them)."""
    text = [content.decode("latin-1")]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):  # ASCII85 around the deflated stream
            data = base64.a85decode(data[:-2])
        with contextlib.suppress(zlib.error):
            text.append(zlib.decompress(data).decode("latin-1"))
    return "\n".join(text)


def _pdf(client, case):
    return client.post(f"/cases/{case.public_id}/export/pdf/")


def _with_work(cast):
    case = f.in_progress(cast)
    services.caregiver_add(
        actor=cast.owner,
        case=case,
        name="Rehema Baraka",
        relationship="mother",
        phone="0722 000 111",
    )
    return case


# -- the identified summary ----------------------------------------------------------------


def test_the_owner_downloads_a_watermarked_pdf_that_is_never_cached(cast):
    case = _with_work(cast)
    response = _pdf(client_for(cast.owner), case)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.number}-summary.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Exported by Owner at" in text and "confidential" in text
    assert "Owner \\267" in text or "Owner ·" in text  # the diagonal watermark line
    assert case.number in text and "Mwanajuma" in text and "Rehema Baraka" in text
    assert "Met at the beach" not in text  # the child's account stays in Kinga
    assert "0712" not in text and "0722" not in text  # no phone numbers


def test_every_page_carries_the_watermark(cast):
    case = _with_work(cast)
    for n in range(40):  # a long timeline spills onto more pages
        case.refresh_from_db()
        services.case_set_risk(
            actor=cast.owner,
            case=case,
            risk="low" if n % 2 else "medium",
            expected_version=case.version,
        )
    content = _pdf(client_for(cast.owner), case).content
    pages = len(re.findall(rb"/Type /Page\b", content))
    assert pages >= 2
    assert _pdf_text(content).count("Exported by Owner at") == pages


def test_the_export_is_audited_with_the_field_groups(cast):
    case = _with_work(cast)
    _pdf(client_for(cast.supervisor), case)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == cast.supervisor and event.target_id == str(case.public_id)
    assert {"identity", "family", "consent", "timeline"} <= set(event.fields)
    assert event.detail == {"format": "pdf", "encrypted": False}


@pytest.mark.parametrize("who", ["outsider", "me_officer", "sysadmin", "org_admin", "colleague"])
def test_others_get_a_404_and_nothing_is_exported(cast, who):
    case = _with_work(cast)
    assert _pdf(client_for(getattr(cast, who)), case).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_county_officer_without_the_export_permission_gets_a_404(cast):
    case = _with_work(cast)
    assert _pdf(client_for(f.county_officer()), case).status_code == 404


def test_a_referral_partner_never_exports_even_while_the_referral_is_active(cast):
    case = _with_work(cast)
    partner = f.partner()
    referral = services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=partner.org,
        service_type="medical",
        share_groups=["identity", "health"],
    )
    services.referral_accept(actor=partner.user, referral=referral)
    assert client_for(partner.user).get(f"/cases/{case.public_id}/").status_code == 200
    assert _pdf(client_for(partner.user), case).status_code == 404


def test_anonymous_callers_are_sent_to_sign_in_and_get_is_refused(cast):
    case = _with_work(cast)
    response = Client().post(f"/cases/{case.public_id}/export/pdf/")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client_for(cast.owner).get(f"/cases/{case.public_id}/export/pdf/").status_code == 405


def test_the_encrypted_zip_opens_only_with_the_passphrase_shown(cast):
    case = _with_work(cast)
    client = client_for(cast.owner)
    page = client.post(f"/cases/{case.public_id}/export/zip/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    passphrase = re.search(r"<code>([A-Z0-9-]+)</code>", html).group(1)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    response = client.post(f"/cases/{case.public_id}/export/zip/download/", {"token": token})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"%PDF" not in response.content  # encrypted, not merely zipped
    with pyzipper.AESZipFile(io.BytesIO(response.content)) as archive:
        name = archive.namelist()[0]
        with pytest.raises(RuntimeError):
            archive.read(name, pwd=b"WRONG-PASS")
        archive.setpassword(passphrase.encode())
        assert archive.read(name).startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail == {"format": "pdf", "encrypted": True}


def test_a_passphrase_token_is_bound_to_its_user_and_case(cast):
    case = _with_work(cast)
    other = f.register(cast.supervisor, given_name="Zawadi", family_name="Mwangi")
    html = client_for(cast.supervisor).post(f"/cases/{case.public_id}/export/zip/")
    token = re.search(r'name="token" value="([^"]+)"', html.content.decode()).group(1)
    stolen = client_for(cast.owner).post(
        f"/cases/{case.public_id}/export/zip/download/", {"token": token}
    )
    assert stolen.status_code == 404
    moved = client_for(cast.supervisor).post(
        f"/cases/{other.public_id}/export/zip/download/", {"token": token}
    )
    assert moved.status_code == 404
    forged = client_for(cast.owner).post(
        f"/cases/{case.public_id}/export/zip/download/", {"token": "forged"}
    )
    assert forged.status_code == 302  # back to the case with a message
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_case_page_offers_the_export_buttons_only_to_those_allowed(cast):
    case = _with_work(cast)
    assert "Export summary (PDF)" in client_for(cast.owner).get(f"/cases/{case.public_id}/").text
    officer = f.county_officer()
    assert "Export summary" not in client_for(officer).get(f"/cases/{case.public_id}/").text


# -- the pseudonymised list ------------------------------------------------------------------


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_supervisor_exports_a_pseudonymised_csv_without_identity(cast):
    case = _with_work(cast)
    f.register(cast.owner, given_name="Zawadi", family_name="Mwangi", phone="0733 444 555")
    response = client_for(cast.supervisor).post("/cases/export/csv/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    for secret in ("Mwanajuma", "Baraka", "Juma", "Zawadi", "Mwangi", "Rehema", "0712", "712345",
                   "0733", "Met at the beach", case.number, str(case.public_id)):  # fmt: skip
        assert secret not in body
    rows = _rows(response)
    assert list(rows[0]) == list(PSEUDONYMISED_COLUMNS)
    assert len(rows) == 2
    first = rows[0]
    assert first["pseudonym"] == pseudonym(cast.org.pk, case.child.public_id)
    assert first["age_band_at_registration"] == "10-14" and first["county"] == "Kwale"
    assert first["categories"] == "sexual_exploitation" and first["status"] == "in_progress"
    assert re.fullmatch(r"\d{4}-\d{2}", first["registered_month"])
    assert first["services"] == "0" and first["follow_ups"] == "0"


def test_a_child_keeps_one_pseudonym_and_organisations_get_different_ones(cast):
    case = _with_work(cast)
    again = client_for(cast.supervisor).post("/cases/export/csv/")
    assert _rows(again)[0]["pseudonym"] == pseudonym(cast.org.pk, case.child.public_id)
    assert pseudonym(cast.org.pk, case.child.public_id) != pseudonym(
        cast.other_org.pk, case.child.public_id
    )


def test_the_m_and_e_officer_exports_xlsx(cast):
    from openpyxl import load_workbook

    _with_work(cast)
    response = client_for(cast.me_officer).post("/cases/export/xlsx/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    values = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert values[0] == list(PSEUDONYMISED_COLUMNS) and len(values) == 2
    assert "Mwanajuma" not in str(values)


def test_the_list_export_is_audited(cast):
    _with_work(cast)
    client_for(cast.supervisor).post("/cases/export/csv/")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail == {"format": "csv", "rows": 1, "pseudonymised": True}
    assert event.target_type == "cases.case" and "pseudonym" in event.fields


def test_only_the_own_organisations_cases_are_listed(cast):
    _with_work(cast)
    f.register(cast.outsider, given_name="Zawadi")
    rows = _rows(client_for(cast.supervisor).post("/cases/export/csv/"))
    assert len(rows) == 1


@pytest.mark.parametrize("who", ["owner", "outsider", "sysadmin", "org_admin"])
def test_those_without_the_pseudonymised_export_permission_get_a_404(cast, who):
    _with_work(cast)
    assert client_for(getattr(cast, who)).post("/cases/export/csv/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_partner_gets_a_404_and_an_unknown_format_too(cast):
    partner = f.partner()
    assert client_for(partner.user).post("/cases/export/csv/").status_code == 404
    assert client_for(cast.supervisor).post("/cases/export/pdf/").status_code == 404


def test_the_list_is_built_in_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    from kinga.cases.exports.selectors import pseudonymised_rows

    for n in range(6):
        f.register(cast.owner, given_name=f"Child{n}", categories=["defilement", "incest"])
    with django_assert_max_num_queries(2):
        rows = pseudonymised_rows(cast.supervisor)
    assert len(rows) == 6 and rows[0]["categories"] == "defilement;incest"


@pytest.mark.parametrize(
    ("birth_year", "expected"), [(2026, "0-4"), (2020, "5-9"), (2013, "10-14"), (2009, "15-17")]
)
def test_age_bands(birth_year, expected):
    from datetime import date

    assert age_band(None, birth_year, date(2027, 6, 1)) == expected
    assert age_band(date(2000, 1, 1), None, date(2027, 6, 1)) == "18+"
    assert age_band(None, None, date(2027, 6, 1)) == ""
