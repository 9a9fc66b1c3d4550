"""The case pages: the core path through forms, errors shown as messages, 404s."""

from datetime import timedelta

from django.utils import timezone

from kinga.cases.models import Case, Referral, Service
from kinga.cases.tests import factories as f
from kinga.core.testing import client_for


def _action(client, case, action, data):
    case.refresh_from_db()
    body = {"expected_version": case.version, "form_token": f"{action}-{case.version}", **data}
    return client.post(f"/cases/{case.public_id}/{action}/", body)


REGISTER = {
    "given_name": "Kadzo",
    "family_name": "Tsuma",
    "sex": "female",
    "age_years": "14",
    "county": "",
    "risk": "high",
    "categories": ["sexual_exploitation"],
    "narrative": "Seen at a lodging in Ukunda.",
    "form_token": "reg-1",
}


def test_the_core_path_works_through_the_pages(cast):
    worker, supervisor = client_for(cast.owner), client_for(cast.supervisor)
    data = {**REGISTER, "county": f.kwale().pk}
    response = worker.post("/cases/new/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.public_id}/"
    assert worker.get("/cases/").status_code == 200
    assert "Kadzo" in worker.get(f"/cases/{case.public_id}/").content.decode()
    assert (
        _action(
            worker,
            case,
            "consent",
            {
                "child_assent": "given",
                "caregiver_consent": "on",
                "scope_services": "on",
                "scope_sharing": ["health_facility"],
            },
        ).status_code
        == 302
    )
    assert (
        _action(worker, case, "assess", {"kind": "comprehensive", "risk": "high"}).status_code
        == 302
    )
    assert (
        _action(
            worker,
            case,
            "plan",
            {
                "domain": "education",
                "goal": "Back in school",
                "action": "Pay fees",
                "responsible_label": "Case worker",
                "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
            },
        ).status_code
        == 302
    )
    assert _action(supervisor, case, "approve-plan", {"comment": ""}).status_code == 302
    partner = f.partner()
    response = _action(
        worker,
        case,
        "refer",
        {
            "to_organisation": partner.org.pk,
            "service_type": "medical",
            "share_groups": ["identity", "health"],
        },
    )
    assert response.status_code == 302, response.content.decode()
    referral = Referral.objects.get()
    partner_client = client_for(partner.user)
    assert partner_client.get(f"/cases/{case.public_id}/").status_code == 404
    partner_client.post(f"/cases/referrals/{referral.public_id}/accept/")
    page = partner_client.get(f"/cases/{case.public_id}/").content.decode()
    assert "Kadzo" in page and "Ukunda" not in page  # narrative not shared
    partner_client.post(
        f"/cases/referrals/{referral.public_id}/complete/",
        {"delivered_on": timezone.localdate().isoformat()},
    )
    assert Service.objects.filter(referral=referral).exists()
    assert (
        _action(
            worker,
            case,
            "follow-up",
            {
                "kind": "home_visit",
                "happened_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                "risk_after": "medium",
                "child_seen": "on",
            },
        ).status_code
        == 302
    )
    assert (
        _action(
            worker,
            case,
            "close",
            {
                "outcome": "goals_met",
                "child_safe": "on",
                "goals_reviewed": "on",
            },
        ).status_code
        == 302
    )
    assert _action(supervisor, case, "approve-closure", {"comment": ""}).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"


def test_a_domain_error_is_shown_above_the_form_and_nothing_is_saved(cast):
    case = f.register(cast.owner)
    partner = f.partner()
    response = _action(
        client_for(cast.owner),
        case,
        "refer",
        {
            "to_organisation": partner.org.pk,
            "service_type": "medical",
            "share_groups": ["identity"],
        },
    )
    assert response.status_code == 200
    assert "No consent has been recorded" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_stale_form_says_who_changed_the_case(cast):
    case = f.register(cast.owner)
    stale = case.version
    client = client_for(cast.owner)
    _action(client, case, "assess", {"kind": "initial", "risk": "medium"})
    response = client.post(
        f"/cases/{case.public_id}/assess/",
        {"expected_version": stale, "form_token": "other", "kind": "initial", "risk": "low"},
    )
    assert "changed by Owner" in response.content.decode()


def test_a_double_submitted_registration_makes_one_case(cast):
    client = client_for(cast.owner)
    data = {**REGISTER, "county": f.kwale().pk, "confirm_new": "on"}
    client.post("/cases/new/", data)
    client.post("/cases/new/", data)
    assert Case.objects.count() == 1


def test_registration_shows_possible_duplicates_first(cast):
    f.register(cast.owner, given_name="Kadzo", family_name="Tsuma")
    response = client_for(cast.owner).post(
        "/cases/new/", {**REGISTER, "given_name": "Kazo", "county": f.kwale().pk}
    )
    assert "Possible duplicates" in response.content.decode()
    assert Case.objects.count() == 1


def test_outsiders_and_bad_ids_get_404(cast):
    case = f.register(cast.owner)
    for client, path in (
        (client_for(cast.outsider), f"/cases/{case.public_id}/"),
        (client_for(cast.me_officer), f"/cases/{case.public_id}/"),
        (client_for(cast.sysadmin), f"/cases/{case.public_id}/assess/"),
        (client_for(cast.owner), "/cases/not-a-uuid/"),
        (client_for(cast.owner), f"/cases/{case.public_id}/unknown-action/"),
    ):
        assert client.get(path).status_code == 404


def test_the_home_page_shows_my_tasks_and_the_team_workload(cast):
    f.register(cast.owner)
    assert "My cases and tasks" in client_for(cast.owner).get("/").content.decode()
    assert "Team workload" in client_for(cast.supervisor).get("/").content.decode()
    assert "My cases" not in client_for(cast.sysadmin).get("/").content.decode()


def test_the_case_page_stays_under_100_kb(cast):
    case = f.in_progress(cast)
    assert len(client_for(cast.owner).get(f"/cases/{case.public_id}/").content) < 100_000
