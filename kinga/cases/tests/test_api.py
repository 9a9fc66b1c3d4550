"""The case API: same services as the pages, JSON errors, 409 for illegal transitions."""

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kinga.cases.models import Case, Referral
from kinga.cases.tests import factories as f

API = "/api/v1"


def _client(user):
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def _post(user, path, body):
    return _client(user).post(API + path, body, content_type="application/json")


REGISTER = {
    "given_name": "Kadzo",
    "family_name": "Tsuma",
    "sex": "female",
    "age_years": 14,
    "county": "002",
    "risk": "high",
    "categories": ["online_sextortion"],
    "narrative": "Threatened online.",
}


@pytest.mark.parametrize(
    "path", ["/cases/", "/tasks/", "/referrals/", "/cases/00000000-0000-0000-0000-000000000000/"]
)
def test_anonymous_callers_get_a_401_json_error(db, path):
    response = Client().get(API + path)
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"


def test_a_case_worker_registers_and_lists_a_case(cast):
    response = _post(cast.owner, "/cases/", REGISTER)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(public_id=response.json()["id"])
    rows = _client(cast.owner).get(f"{API}/cases/").json()["results"]
    assert [row["number"] for row in rows] == [case.number]
    assert "given_name" not in rows[0]  # the list carries no identity
    assert _client(cast.outsider).get(f"{API}/cases/").json()["results"] == []


def test_bad_registration_input_is_a_400_json_error(cast):
    response = _post(cast.owner, "/cases/", {**REGISTER, "risk": "extreme"})
    assert response.status_code == 400 and response.json()["error"] == "invalid"
    response = _post(cast.owner, "/cases/", {**REGISTER, "age_years": 19})
    assert response.status_code == 409 and response.json()["error"] == "aged_out"
    assert not Case.objects.exists()


def test_the_case_detail_is_the_audited_view_and_404s_for_others(cast):
    case = f.register(cast.owner)
    body = _client(cast.owner).get(f"{API}/cases/{case.public_id}/").json()
    assert body["full"] and body["sections"]["identity"]["given_name"] == "Mwanajuma"
    assert body["version"] == Case.objects.get(pk=case.pk).version
    for who, path in ((cast.outsider, case.public_id), (cast.owner, "nope")):
        response = _client(who).get(f"{API}/cases/{path}/")
        assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_a_referral_without_consent_is_a_409_explaining_what_is_missing(cast):
    case = f.register(cast.owner)
    partner = f.partner()
    response = _post(
        cast.owner,
        f"/cases/{case.public_id}/referrals/",
        {
            "to_organisation": partner.org.code,
            "service_type": "medical",
            "share_groups": ["identity"],
            "expected_version": case.version,
        },
    )
    assert response.status_code == 409
    assert response.json()["error"] == "consent_missing"
    assert "consent" in response.json()["detail"]
    assert not Referral.objects.exists()


def test_a_stale_version_is_a_409(cast):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/risk/"
    assert _post(cast.owner, path, {"risk": "low", "expected_version": 1}).status_code == 200
    response = _post(cast.owner, path, {"risk": "medium", "expected_version": 1})
    assert response.status_code == 409 and response.json()["error"] == "stale_edit"


def test_the_partner_accepts_reads_the_profile_and_completes_through_the_api(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    response = _post(
        cast.owner,
        f"/cases/{case.public_id}/referrals/",
        {
            "to_organisation": partner.org.code,
            "service_type": "medical",
            "share_groups": ["identity", "health"],
            "idempotency_key": "k1",
            "expected_version": case.version,
        },
    )
    assert response.status_code == 201
    referral_id = response.json()["id"]
    inbox = _client(partner.user).get(f"{API}/referrals/").json()["results"]
    assert [r["id"] for r in inbox] == [referral_id]
    assert _client(partner.user).get(f"{API}/cases/{case.public_id}/").status_code == 404
    accepted = _post(partner.user, f"/referrals/{referral_id}/accept/", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    body = _client(partner.user).get(f"{API}/cases/{case.public_id}/").json()
    # The version (a counter, not case data) lets the partner record what it may record.
    assert (
        set(body["sections"]) == {"identity", "health"}
        and body["version"] == Case.objects.get(pk=case.pk).version
    )
    assert _post(partner.user, f"/referrals/{referral_id}/accept/", {}).status_code == 409
    done = _post(
        partner.user,
        f"/referrals/{referral_id}/complete/",
        {"delivered_on": timezone.localdate().isoformat(), "sub_type": "pep"},
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"


def test_tasks_and_duplicates_answer_for_the_caller(cast):
    case = f.register(cast.owner)
    tasks = _client(cast.owner).get(f"{API}/tasks/").json()
    assert {t["case_number"] for t in tasks["today"] + tasks["week"]} == {case.number}
    found = _post(
        cast.owner, "/cases/duplicates/", {"name": "Mwanajuma Barakka", "county": "002"}
    ).json()
    assert found[0]["case_number"] == case.number
    assert _post(cast.outsider, "/cases/duplicates/", {"name": "Mwanajuma Barakka"}).json() == []


def test_the_case_endpoints_are_in_the_openapi_schema(cast):
    schema = _client(cast.owner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/cases/", "/api/v1/cases/{public_id}/referrals/", "/api/v1/tasks/"):
        assert path in schema["paths"]
