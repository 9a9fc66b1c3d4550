"""The further case endpoints — caregivers, household, interviews, conferences, assign,
transfer, reopen — on the same services as the pages, with JSON errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from kinga.cases import services
from kinga.cases.models import Caregiver, CaseConference, Interview, Transfer
from kinga.cases.tests import factories as f
from kinga.cases.tests.test_api import API, _client, _post


def _now() -> str:
    return timezone.now().isoformat()


def _version(case) -> int:
    case.refresh_from_db()
    return case.version


PATHS = ["caregivers", "household", "interviews", "conferences", "assign", "transfer", "reopen"]


@pytest.mark.parametrize("name", PATHS)
def test_anonymous_callers_get_401_and_outsiders_404(cast, name):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/{name}/"
    response = Client().post(API + path, {}, content_type="application/json")
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"
    response = _post(cast.outsider, path, {})
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert _post(cast.owner, f"/cases/not-a-uuid/{name}/", {}).status_code == 404


@pytest.mark.parametrize("name", PATHS)
def test_each_endpoint_is_in_the_openapi_schema(cast, name):
    schema = _client(cast.owner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "post" in schema["paths"][f"/api/v1/cases/{{public_id}}/{name}/"]


def test_a_caregiver_is_added_with_the_suspected_exploiter_flag(cast):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/caregivers/"
    body = {"name": "Omari", "relationship": "relative", "suspected_exploiter": True}
    version = _version(case)
    response = _post(
        cast.owner, path, {**body, "idempotency_key": "c1", "expected_version": version}
    )
    assert response.status_code == 201
    assert response.json()["version"] == _version(case)
    repeat = {**body, "idempotency_key": "c1", "expected_version": version}
    assert _post(cast.owner, path, repeat).status_code == 201
    carer = Caregiver.objects.get()  # the repeat did not add a second one
    assert str(carer.public_id) == response.json()["id"] and carer.suspected_exploiter
    bad = _post(
        cast.owner, path, {"name": "X", "relationship": "uncle", "expected_version": version}
    )
    assert bad.status_code == 400 and "relationship" in bad.json()["detail"]


def test_the_household_economy_is_set(cast):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/household/"
    body = {"expected_version": _version(case), "members": 5, "income_band": "none"}
    response = _post(cast.owner, path, body)
    assert response.status_code == 200, response.json()
    case.child.refresh_from_db()
    assert case.child.household.members == 5
    stale = _post(cast.owner, path, body)
    assert stale.status_code == 409 and stale.json()["error"] == "stale_edit"
    bad = _post(cast.owner, path, {"expected_version": _version(case), "members": 0})
    assert bad.status_code == 400


def test_a_further_interview_without_justification_is_a_409(cast):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/interviews/"
    first = _post(
        cast.owner,
        path,
        {"happened_at": _now(), "purpose": "disclosure", "expected_version": _version(case)},
    )
    assert first.status_code == 201
    again = _post(
        cast.owner,
        path,
        {"happened_at": _now(), "purpose": "court", "expected_version": _version(case)},
    )
    assert again.status_code == 409 and again.json()["error"] == "justification_needed"
    assert "1 time" in again.json()["detail"]
    justified = _post(
        cast.owner,
        path,
        {
            "happened_at": _now(),
            "purpose": "court",
            "justification": "Court preparation.",
            "expected_version": _version(case),
        },
    )
    assert justified.status_code == 201 and Interview.objects.count() == 2
    detail = _client(cast.owner).get(f"{API}/cases/{case.public_id}/").json()
    assert detail["interview_count"] == 2


def test_a_partner_with_an_accepted_referral_may_log_an_interview(cast):
    case = f.in_progress(cast)
    partner = f.partner(kind="police_unit", offers=("police",))
    referral = services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=partner.org,
        service_type="police",
        share_groups=["identity", "narrative"],
    )
    services.referral_accept(actor=partner.user, referral=referral)
    response = _post(
        partner.user,
        f"/cases/{case.public_id}/interviews/",
        {"happened_at": _now(), "purpose": "police_statement", "expected_version": _version(case)},
    )
    assert response.status_code == 201
    assert Interview.objects.get().organisation == partner.org


def test_a_case_conference_takes_colleagues_by_id_only_from_the_organisation(cast):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/conferences/"
    body = {
        "held_at": _now(),
        "decisions": "Safe house.",
        "participants": [str(cast.owner.public_id), str(cast.supervisor.public_id)],
        "expected_version": _version(case),
    }
    response = _post(cast.supervisor, path, body)
    assert response.status_code == 201
    body["expected_version"] = _version(case)
    assert set(CaseConference.objects.get().participants.all()) == {cast.owner, cast.supervisor}
    foreign = _post(cast.supervisor, path, {**body, "participants": [str(cast.outsider.public_id)]})
    assert foreign.status_code == 400 and "participants" in foreign.json()["detail"]
    empty = _post(cast.supervisor, path, {**body, "decisions": ""})
    assert empty.status_code == 400 and CaseConference.objects.count() == 1


def test_a_supervisor_assigns_and_a_case_worker_may_not(cast):
    case = f.register(cast.supervisor)
    path = f"/cases/{case.public_id}/assign/"
    body = {"workers": [str(cast.owner.public_id)], "expected_version": _version(case)}
    response = _post(cast.supervisor, path, body)
    assert response.status_code == 200, response.json()
    assert list(case.assignments.values_list("user", flat=True)) == [cast.owner.pk]
    refused = _post(
        cast.owner,
        path,
        {"workers": [str(cast.colleague.public_id)], "expected_version": _version(case)},
    )
    assert refused.status_code == 403 and refused.json()["error"] == "permission_denied"
    empty = _post(cast.supervisor, path, {"workers": [], "expected_version": _version(case)})
    assert empty.status_code == 400


def test_a_transfer_needs_consent_then_moves_the_case(cast):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/transfer/"
    body = {"to_organisation": cast.other_org.code, "reason": "Moved."}
    bad = _post(cast.owner, path, {**body, "to_organisation": "NOPE", "expected_version": 1})
    assert bad.status_code == 400 and "to_organisation" in bad.json()["detail"]
    refused = _post(cast.owner, path, {**body, "expected_version": _version(case)})
    assert refused.status_code == 409 and refused.json()["error"] == "consent_missing"
    assert not Transfer.objects.exists()
    f.consent(cast.owner, case)
    moved = _post(cast.owner, path, {**body, "expected_version": _version(case)})
    assert moved.status_code == 201
    assert _client(cast.owner).get(f"{API}/cases/{case.public_id}/").status_code == 404


def test_a_closed_case_is_reopened_and_an_open_one_is_a_409(cast):
    case = f.in_progress(cast)
    path = f"/cases/{case.public_id}/reopen/"
    early = _post(cast.owner, path, {"reason": "Again.", "expected_version": _version(case)})
    assert early.status_code == 409 and early.json()["error"] == "wrong_status"
    closure = services.case_close(
        actor=cast.owner,
        case=case,
        outcome="goals_met",
        child_safe=True,
        goals_reviewed=True,
        expected_version=_version(case),
    )
    services.case_close_approve(
        actor=cast.supervisor, closure=closure, expected_version=_version(case)
    )
    response = _post(
        cast.owner,
        path,
        {"reason": "Seen again.", "risk": "high", "expected_version": _version(case)},
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "reopened" and case.risk == "high"
    assert _post(cast.owner, path, {"reason": "", "expected_version": 1}).status_code == 400


def test_an_idempotency_key_on_a_keyless_action_is_ignored_not_a_500(cast):
    case = f.register(cast.owner)
    response = _post(
        cast.owner,
        f"/cases/{case.public_id}/risk/",
        {"risk": "low", "expected_version": _version(case), "idempotency_key": "k"},
    )
    assert response.status_code == 200
