import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kinga.audit.models import AuditEvent
from kinga.core.testing import client_for, make_user
from kinga.research.models import Dataset, Indicator, PrevalenceStudy
from kinga.research.tests import factories
from kinga.research.tests.conftest import DESIGN


def _urls(ds, ind):
    d, i = ds.public_id, ind.public_id
    return [
        ("get", reverse("research:home")),
        ("get", reverse("research:upload")),
        ("get", reverse("research:prevalence")),
        ("get", reverse("research:dataset", args=[d])),
        ("post", reverse("research:design", args=[d])),
        ("post", reverse("research:indicator_add", args=[d])),
        ("post", reverse("research:indicator_delete", args=[d, i])),
        ("post", reverse("research:dataset_delete", args=[d])),
        ("get", reverse("research:report", args=[d])),
        ("get", reverse("research:chart", args=[d, i])),
        ("get", reverse("research:export_xlsx", args=[d])),
        ("get", reverse("research:export_pdf", args=[d])),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_from_every_url(cast, designed):
    ind = designed.indicators.first()
    for method, url in _urls(designed, ind):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url


@pytest.mark.parametrize("who", ["owner", "supervisor", "org_admin", "sysadmin", "outsider"])
def test_people_without_research_rights_get_404_everywhere(cast, designed, who):
    client = client_for(getattr(cast, who))
    ind = designed.indicators.first()
    for method, url in _urls(designed, ind):
        assert getattr(client, method)(url).status_code == 404, url
    assert Dataset.objects.filter(pk=designed.pk).exists()
    assert Indicator.objects.filter(pk=ind.pk).exists()


def test_an_me_officer_of_another_organisation_gets_404_for_the_dataset(cast, designed):
    client = client_for(make_user("me@o.example", "me_officer", cast.other_org))
    ind = designed.indicators.first()
    for method, url in _urls(designed, ind)[3:]:
        assert getattr(client, method)(url).status_code == 404, url
    assert "KAP survey" not in client.get(reverse("research:home")).content.decode()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_malformed_and_unknown_ids_give_404(cast, designed):
    client = client_for(cast.me_officer)
    for bad in ("not-a-uuid", "123", str(uuid.uuid4())):
        assert client.get(reverse("research:dataset", args=[bad])).status_code == 404
        assert client.get(reverse("research:report", args=[bad])).status_code == 404
        assert client.get(reverse("research:study", args=[bad])).status_code == 404
    url = reverse("research:chart", args=[designed.public_id, "nope"])
    assert client.get(url).status_code == 404


def test_the_nav_and_home_panel_show_research_to_analysts_only(cast):
    page = client_for(cast.me_officer).get(reverse("core:home")).content.decode()
    assert reverse("research:home") in page
    assert (
        reverse("research:home")
        not in client_for(cast.owner).get(reverse("core:home")).content.decode()
    )


def test_uploading_through_the_page_lands_on_the_dataset(cast):
    client = client_for(cast.me_officer)
    response = client.post(
        reverse("research:upload"),
        {
            "title": "KAP 2024",
            "data_file": SimpleUploadedFile("kap.xlsx", factories.kap_xlsx()),
            "xlsform_file": SimpleUploadedFile("form.xlsx", factories.xlsform()),
        },
    )
    ds = Dataset.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "research:dataset", args=[ds.public_id]
    )
    page = client.get(response.url).content.decode()
    assert "Knows where to report abuse" in page and "Form metadata not kept" in page


def test_a_refused_upload_names_the_column_on_the_page_and_saves_nothing(cast):
    content = factories.to_csv(["q1", "simu"], [["1", "0712345678"], ["0", "0722000111"]])
    response = client_for(cast.me_officer).post(
        reverse("research:upload"),
        {"title": "x", "data_file": SimpleUploadedFile("a.csv", content)},
    )
    assert response.status_code == 400
    assert "&#x27;simu&#x27;" in response.content.decode() or "'simu'" in response.content.decode()
    assert not Dataset.objects.exists()


def test_an_oversized_upload_is_refused_with_the_limit(cast, settings):
    settings.KINGA_MAX_BODY_BYTES = 2048
    content = factories.kap_csv()
    response = client_for(cast.me_officer).post(
        reverse("research:upload"),
        {"title": "x", "data_file": SimpleUploadedFile("a.csv", content)},
    )
    assert response.status_code == 413
    assert not Dataset.objects.exists()


def test_the_design_form_saves_and_shows_errors_in_place(cast, dataset):
    client = client_for(cast.me_officer)
    url = reverse("research:design", args=[dataset.public_id])
    bad = {**DESIGN, "endline_value": "midline", "covariates": []}
    response = client.post(url, bad)
    assert response.status_code == 400 and "No row has" in response.content.decode()
    response = client.post(url, {**DESIGN})
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.design.psu == "village" and dataset.design.covariates == ["respondent_type"]


def test_an_indicator_is_added_and_removed_through_the_page(cast, dataset):
    client = client_for(cast.me_officer)
    response = client.post(
        reverse("research:indicator_add", args=[dataset.public_id]),
        {
            "label": "Would report a case",
            "variable": "knows_report",
            "kind": "proportion",
            "yes_values": "Yes",
        },
    )
    assert response.status_code == 302
    ind = Indicator.objects.get()
    assert ind.yes_values == ["1"]
    client.post(reverse("research:indicator_delete", args=[dataset.public_id, ind.public_id]))
    assert not Indicator.objects.exists()
    assert (
        client.get(
            reverse("research:indicator_delete", args=[dataset.public_id, ind.public_id])
        ).status_code
        == 405
    )


def test_the_report_page_shows_tables_did_and_the_association_label(cast, designed):
    page = client_for(cast.me_officer).get(reverse("research:report", args=[designed.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Knows where to report" in html and "Attitude score" in html
    assert "Difference-in-differences" in html and "an association, not an effect" in html
    assert "Community leader" in html and "Kwale" in html
    assert "chart.svg" in html


def test_the_report_marks_suppressed_cells(cast, designed, settings):
    settings.KINGA_SMALL_CELL = 37
    html = (
        client_for(cast.me_officer)
        .get(reverse("research:report", args=[designed.public_id]))
        .content.decode()
    )
    assert "suppressed: fewer than 37 respondents" in html
    assert "Not shown: a cell has too few respondents." in html


def test_the_chart_is_an_svg(cast, designed):
    ind = designed.indicators.first()
    response = client_for(cast.me_officer).get(
        reverse("research:chart", args=[designed.public_id, ind.public_id])
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b"Baseline" in response.content


def test_the_xlsx_export_opens_and_holds_the_estimates_and_is_audited(cast, designed):
    response = client_for(cast.me_officer).get(
        reverse("research:export_xlsx", args=[designed.public_id])
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["About", "Estimates"]
    rows = list(book["Estimates"].iter_rows(values_only=True))
    assert rows[0][0] == "Indicator" and any(r[0] == "Knows where to report" for r in rows[1:])
    did_rows = list(book["Difference-in-differences"].iter_rows(values_only=True))
    assert len(did_rows) == 3  # header + two indicators
    event = AuditEvent.objects.get(action="export")
    assert event.target_id == str(designed.public_id) and event.actor == cast.me_officer


def test_the_pdf_export_is_a_pdf_and_is_audited(cast, designed):
    response = client_for(cast.me_officer).get(
        reverse("research:export_pdf", args=[designed.public_id])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert (
        AuditEvent.objects.filter(action="export", target_id=str(designed.public_id)).count() == 1
    )


def test_capture_recapture_from_three_numbers_is_computed_and_kept(cast):
    client = client_for(cast.me_officer)
    response = client.post(
        reverse("research:prevalence"),
        {"method_kind": "capture", "cap-title": "Kwale count", "cap-marked": 421, "cap-caught": 332,
         "cap-recaptured": 88, "cap-method": "chapman"},
    )  # fmt: skip
    study = PrevalenceStudy.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "research:study", args=[study.public_id]
    )
    assert round(study.results[0]["estimate"]) == 1578  # FSA's example
    assert "Kwale count" in client.get(response.url).content.decode()
    assert AuditEvent.objects.filter(action="create", target_id=str(study.public_id)).exists()


def test_impossible_capture_numbers_get_a_clear_message(cast):
    response = client_for(cast.me_officer).post(
        reverse("research:prevalence"),
        {"method_kind": "capture", "cap-title": "x", "cap-marked": 10, "cap-caught": 5,
         "cap-recaptured": 9, "cap-method": "chapman"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not PrevalenceStudy.objects.exists()


def _rds_csv():
    rows = [["1", "seed", "10", "yes"], ["2", "seed", "8", "no"]]
    for i in range(3, 41):
        rows.append([str(i), str((i - 1) // 2), str(3 + i % 7), "yes" if i % 3 else "no"])
    return factories.to_csv(["coupon", "recruiter", "degree", "exploited"], rows)


def test_an_rds_estimate_is_computed_from_an_uploaded_chain_which_is_not_kept(cast):
    client = client_for(cast.me_officer)
    response = client.post(
        reverse("research:prevalence"),
        {
            "method_kind": "rds",
            "rds-title": "Coast RDS",
            "rds-data_file": SimpleUploadedFile("rds.csv", _rds_csv()),
            "rds-id_column": "coupon",
            "rds-recruiter_column": "recruiter",
            "rds-degree_column": "degree",
            "rds-outcome_column": "exploited",
            "rds-estimator": "RDS-II",
            "rds-bootstrap": 50,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    study = PrevalenceStudy.objects.get()
    assert {r["label"] for r in study.results} == {"prop(exploited=no)", "prop(exploited=yes)"}
    assert sum(r["estimate"] for r in study.results) == pytest.approx(1.0)
    assert study.inputs["rows"] == 40 and "seed" in study.inputs
    assert "yes" not in str(study.inputs.values()).split("exploited")[0]  # no raw rows kept


def test_an_rds_chain_with_an_unknown_recruiter_gets_a_clear_message(cast):
    content = factories.to_csv(
        ["coupon", "recruiter", "degree", "y"], [["1", "seed", "3", "a"], ["2", "99", "4", "b"]]
    )
    response = client_for(cast.me_officer).post(
        reverse("research:prevalence"),
        {
            "method_kind": "rds",
            "rds-title": "x",
            "rds-data_file": SimpleUploadedFile("r.csv", content),
            "rds-id_column": "coupon",
            "rds-recruiter_column": "recruiter",
            "rds-degree_column": "degree",
            "rds-outcome_column": "y",
            "rds-estimator": "RDS-II",
            "rds-bootstrap": 0,
        },
    )
    assert response.status_code == 400 and "99" in response.content.decode()
    assert not PrevalenceStudy.objects.exists()


def test_a_network_scale_up_estimate_is_computed(cast):
    rows = [[str(3 + i % 4), str(2 + i % 3), str(i % 2)] for i in range(30)]
    content = factories.to_csv(["teachers", "nurses", "csec"], rows)
    response = client_for(cast.me_officer).post(
        reverse("research:prevalence"),
        {"method_kind": "nsum", "nsum-title": "NSUM",
         "nsum-data_file": SimpleUploadedFile("n.csv", content),
         "nsum-known_columns": "teachers, nurses", "nsum-known_sizes": "5000, 3000",
         "nsum-hidden_column": "csec", "nsum-population_size": 1000000, "nsum-degree_ratio": 1,
         "nsum-tx_rate": 1, "nsum-bootstrap": 50},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    study = PrevalenceStudy.objects.get()
    assert study.results[0]["estimate"] > 0 and study.results[0]["ci_low"] is not None
