"""The remaining case pages: caregiver, household economy, interview log, case conference,
assignment and transfer — each for the owner, an outsider (404) and anonymous (sign in);
bad input, domain errors and stale edits shown as messages; readable field labels."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from kinga.audit.models import AuditAction, AuditEvent
from kinga.cases.models import Caregiver, CaseConference, CaseEvent, Interview, Transfer
from kinga.cases.tests import factories as f
from kinga.core.testing import client_for


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")


def _post(client, case, action, data, *, token=None):
    case.refresh_from_db()
    body = {"expected_version": case.version, "form_token": token or f"{action}-{case.version}"}
    return client.post(f"/cases/{case.public_id}/{action}/", {**body, **data})


ACTIONS = ["caregiver", "household", "interview", "conference", "transfer"]


@pytest.mark.parametrize("action", [*ACTIONS, "assign"])
def test_each_form_is_refused_to_outsiders_and_anonymous_callers(cast, action):
    case = f.register(cast.owner)
    path = f"/cases/{case.public_id}/{action}/"
    assert client_for(cast.outsider).get(path).status_code == 404
    assert client_for(cast.outsider).post(path, {}).status_code == 404
    assert client_for(cast.me_officer).get(path).status_code == 404
    response = Client().get(path)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("action", ACTIONS)
def test_the_owner_sees_each_form_and_the_case_page_links_it(cast, action):
    case = f.register(cast.owner)
    assert client_for(cast.owner).get(f"/cases/{case.public_id}/{action}/").status_code == 200
    page = client_for(cast.owner).get(f"/cases/{case.public_id}/").content.decode()
    assert f"/cases/{case.public_id}/{action}/" in page


def test_a_caregiver_marked_as_suspected_exploiter_is_saved_and_flagged(cast):
    case = f.register(cast.owner)
    client = client_for(cast.owner)
    response = _post(
        client,
        case,
        "caregiver",
        {"name": "Omari Salim", "relationship": "relative", "suspected_exploiter": "on"},
    )
    assert response.status_code == 302
    carer = Caregiver.objects.get()
    assert carer.suspected_exploiter and carer.name == "Omari Salim"
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "suspected exploiter" in page


def test_a_caregiver_without_a_name_or_a_bad_phone_gets_a_clear_message(cast):
    case = f.register(cast.owner)
    client = client_for(cast.owner)
    response = _post(client, case, "caregiver", {"name": "", "relationship": "mother"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = _post(
        client, case, "caregiver", {"name": "Amina", "relationship": "mother", "phone": "abc"}
    )
    assert response.status_code == 200
    assert "Enter a phone number with digits" in response.content.decode()
    assert not Caregiver.objects.exists()


def test_the_household_economy_is_recorded_then_updated(cast):
    case = f.register(cast.owner)
    client = client_for(cast.owner)
    data = {"members": "6", "income_band": "under_5k", "income_source": "Fishing"}
    assert _post(client, case, "household", data).status_code == 302
    case.child.refresh_from_db()
    household = case.child.household
    assert household.members == 6 and household.income_band == "under_5k"
    assert _post(client, case, "household", {**data, "in_savings_group": "on"}).status_code == 302
    household.refresh_from_db()
    assert household.in_savings_group
    assert CaseEvent.objects.filter(case=case, kind="household").count() == 2
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "Household economy" in page and "Fishing" in page
    form = client.get(f"/cases/{case.public_id}/household/").content.decode()
    assert 'value="Fishing"' in form  # the form starts from what is recorded


def test_bad_household_input_is_refused_with_a_message(cast):
    case = f.register(cast.owner)
    response = _post(client_for(cast.owner), case, "household", {"members": "0"})
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()


def test_a_further_interview_needs_a_justification_and_the_page_shows_the_count(cast):
    case = f.register(cast.owner)
    client = client_for(cast.owner)
    page = client.get(f"/cases/{case.public_id}/interview/").content.decode()
    assert "first logged interview" in page
    first = {"happened_at": _now(), "purpose": "disclosure"}
    assert _post(client, case, "interview", first).status_code == 302
    page = client.get(f"/cases/{case.public_id}/interview/").content.decode()
    assert "already been interviewed 1 time" in page
    again = {"happened_at": _now(), "purpose": "police_statement"}
    response = _post(client, case, "interview", again)
    assert response.status_code == 200
    assert "Say why a further interview is needed" in response.content.decode()
    assert Interview.objects.count() == 1
    response = _post(
        client, case, "interview", {**again, "justification": "Statement for the court."}
    )
    assert response.status_code == 302 and Interview.objects.count() == 2


def test_an_interview_in_the_future_is_refused(cast):
    case = f.register(cast.owner)
    later = (timezone.localtime() + timezone.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    response = _post(
        client_for(cast.owner), case, "interview", {"happened_at": later, "purpose": "assessment"}
    )
    assert response.status_code == 200 and "in the future" in response.content.decode()
    assert not Interview.objects.exists()


def test_a_case_conference_is_recorded_with_participants(cast):
    case = f.register(cast.owner)
    client = client_for(cast.supervisor)
    page = client.get(f"/cases/{case.public_id}/conference/").content.decode()
    assert "Owner" in page and "Outsider" not in page  # only the organisation's people
    response = _post(
        client,
        case,
        "conference",
        {
            "held_at": _now(),
            "participants": [cast.owner.pk, cast.supervisor.pk],
            "decisions": "Move to a safe house.",
        },
    )
    assert response.status_code == 302
    conference = CaseConference.objects.get()
    assert set(conference.participants.all()) == {cast.owner, cast.supervisor}
    response = _post(client, case, "conference", {"held_at": _now(), "decisions": ""})
    assert response.status_code == 200 and CaseConference.objects.count() == 1


def test_a_supervisor_assigns_and_reassigns(cast):
    case = f.register(cast.supervisor)  # a supervisor's registration waits for assignment
    client = client_for(cast.supervisor)
    page = client.get(f"/cases/{case.public_id}/assign/").content.decode()
    assert "Colleague" in page and "Outsider" not in page
    assert _post(client, case, "assign", {"workers": [cast.owner.pk]}).status_code == 302
    assert list(case.assignments.values_list("user", flat=True)) == [cast.owner.pk]
    response = _post(
        client, case, "assign", {"workers": [cast.colleague.pk], "supervisor": cast.supervisor.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert list(case.assignments.values_list("user", flat=True)) == [cast.colleague.pk]
    assert case.supervisor == cast.supervisor
    response = _post(client, case, "assign", {})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_a_case_worker_cannot_assign_and_is_not_offered_to(cast):
    case = f.register(cast.owner)
    client = client_for(cast.owner)
    assert client.get(f"/cases/{case.public_id}/assign/").status_code == 404
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert f"/cases/{case.public_id}/assign/" not in page
    assert (
        f"/cases/{case.public_id}/assign/"
        in client_for(cast.supervisor).get(f"/cases/{case.public_id}/").content.decode()
    )


def test_a_transfer_without_consent_is_refused_with_the_reason(cast):
    case = f.register(cast.owner)
    response = _post(
        client_for(cast.owner),
        case,
        "transfer",
        {"to_organisation": cast.other_org.pk, "reason": "The family moved to Mombasa."},
    )
    assert response.status_code == 200
    assert "No consent has been recorded" in response.content.decode()
    assert not Transfer.objects.exists()


def test_a_consented_case_is_transferred_and_leaves_the_workers_list(cast):
    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    client = client_for(cast.owner)
    form = client.get(f"/cases/{case.public_id}/transfer/").content.decode()
    assert f'<option value="{cast.other_org.pk}">Other NGO' in form
    assert f'<option value="{cast.org.pk}"' not in form  # not to itself
    response = _post(
        client,
        case,
        "transfer",
        {"to_organisation": cast.other_org.pk, "reason": "The family moved to Mombasa."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "transferred" and case.organisation == cast.other_org
    assert client.get(f"/cases/{case.public_id}/").status_code == 404


def test_a_stale_form_gets_the_conflict_message(cast):
    case = f.register(cast.owner)
    stale = case.version
    client = client_for(cast.owner)
    _post(client, case, "caregiver", {"name": "Amina", "relationship": "mother"})
    response = client.post(
        f"/cases/{case.public_id}/household/",
        {"expected_version": stale, "form_token": "x", "members": "3"},
    )
    assert response.status_code == 200 and "changed by Owner" in response.content.decode()


def test_a_double_submitted_caregiver_is_saved_once(cast):
    case = f.register(cast.owner)
    client = client_for(cast.owner)
    data = {"name": "Amina", "relationship": "mother"}
    _post(client, case, "caregiver", data, token="same")
    client.post(
        f"/cases/{case.public_id}/caregiver/",
        {"expected_version": "", "form_token": "same", **data},
    )
    assert Caregiver.objects.count() == 1


def test_each_write_is_audited(cast):
    case = f.register(cast.owner)
    _post(client_for(cast.owner), case, "caregiver", {"name": "Amina", "relationship": "mother"})
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, target_type="cases.caregiver"
    ).exists()


def test_the_case_page_shows_readable_labels_not_keys(cast):
    case = f.in_progress(cast)
    page = client_for(cast.owner).get(f"/cases/{case.public_id}/").content.decode()
    for label in ("First name", "Other names", "Year of birth", "Exact location", "Sub-county"):
        assert f"<dt>{label}</dt>" in page
    for raw in ("Given_name", "Family_name", "Birth_year", "Location_detail", "Pep_given"):
        assert raw not in page


def test_my_tasks_lists_every_task_and_the_home_page_only_the_first(cast):
    from datetime import timedelta

    from django.urls import reverse

    from kinga.cases.models import Case

    for n in range(7):
        case = f.register(cast.owner, given_name=f"Child{n}")
        Case.objects.filter(pk=case.pk).update(first_contact_due=timezone.now() - timedelta(days=2))
    client = client_for(cast.owner)
    page = client.get(reverse("cases:tasks")).content.decode()
    assert page.count('class="overdue"') >= 7
    home = client.get(reverse("core:home")).content.decode()
    assert home.count('<li class="overdue">') == 5
    assert reverse("cases:tasks") in home


def test_my_tasks_is_refused_to_roles_without_case_work(cast):
    from django.urls import reverse

    assert client_for(cast.me_officer).get(reverse("cases:tasks")).status_code == 404
    response = Client().get(reverse("cases:tasks"))
    assert response.status_code == 302


def test_a_worker_raises_the_risk_from_the_case_page_and_the_deadlines_move(cast):
    from django.urls import reverse

    from kinga.cases.models import Case

    case = f.register(cast.owner, risk="low")
    before = case.first_contact_due
    url = reverse("cases:action", args=[case.public_id, "risk"])
    client = client_for(cast.owner)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"risk": "high", "categories": ["sexual_exploitation"], "expected_version": case.version},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.risk == "high" and case.first_contact_due < before
    assert list(case.categories.values_list("code", flat=True)) == ["sexual_exploitation"]
    assert client_for(cast.outsider).get(url).status_code == 404


def test_consent_is_withdrawn_from_the_case_page_and_a_second_time_is_a_message(cast):
    from django.urls import reverse

    from kinga.cases.models import Case

    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    case = Case.objects.get(pk=case.pk)
    url = reverse("cases:action", args=[case.public_id, "withdraw-consent"])
    client = client_for(cast.owner)
    response = client.post(url, {"note": "Caregiver asked", "expected_version": case.version})
    assert response.status_code == 302
    assert case.consents.get().withdrawn_at is not None
    case = Case.objects.get(pk=case.pk)
    again = client.post(url, {"note": "", "expected_version": case.version})
    assert again.status_code == 200 and "no consent to withdraw" in again.content.decode()
