"""Counsellors (DOMAIN.md users table): the cases referred to them, mental-health fields.

A counsellor sees a case of their organisation only while it is assigned to them, and
then only ``COUNSELLOR_GROUPS`` (who the child is, the case summary, the child's account
so it is told once, the mental-health findings) — never contact details, health,
education, family or legal. They do not record case work on it.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kinga.accounts.roles import Role
from kinga.audit.models import AuditAction, AuditEvent
from kinga.cases import selectors, services
from kinga.cases.codes import ALL_GROUPS
from kinga.cases.tests import factories as f
from kinga.core.testing import client_for, make_user

EXPECTED_GROUPS = {"identity", "summary", "narrative", "mental_health"}


@pytest.fixture
def counselling(cast):
    """Two cases of cast.org; the counsellor is assigned to the first only."""
    counsellor = make_user("counsellor@t.example", Role.COUNSELLOR, cast.org)
    referred = f.register(cast.owner)
    f.assess(cast.owner, referred, distress_signs=True, needs_counselling=True)
    referred.refresh_from_db()
    services.case_assign(
        actor=cast.supervisor,
        case=referred,
        workers=[cast.owner, counsellor],
        expected_version=referred.version,
    )
    referred.refresh_from_db()
    other = f.register(cast.owner, given_name="Hamisi")
    return {"counsellor": counsellor, "referred": referred, "other": other}


def test_the_counsellor_groups_are_the_psychosocial_profile():
    assert selectors.COUNSELLOR_GROUPS == EXPECTED_GROUPS
    assert selectors.COUNSELLOR_GROUPS < ALL_GROUPS


def test_a_counsellor_sees_only_the_cases_assigned_to_them(cast, counselling):
    counsellor = counselling["counsellor"]
    visible = set(selectors.cases_visible_to(counsellor))
    assert visible == {counselling["referred"]}
    with pytest.raises(Http404):
        selectors.case_get_for(counsellor, counselling["other"].public_id)
    assert selectors.case_list_for(counsellor).get() == counselling["referred"]


def test_an_assigned_counsellor_sees_only_the_mental_health_profile(cast, counselling):
    counsellor, case = counselling["counsellor"], counselling["referred"]
    view = selectors.case_view_for(counsellor, case.public_id)
    assert not view.full
    assert set(view.sections) == EXPECTED_GROUPS
    assert view.section("identity")["given_name"] == "Mwanajuma"
    assert view.section("mental_health")["needs_counselling"] is True
    assert "phone" not in str(view.sections)
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=counsellor).get()
    assert sorted(event.fields) == sorted(EXPECTED_GROUPS)
    assert event.detail["via"] == "counsellor"


@pytest.mark.parametrize("group", ["contact", "health", "education", "family", "legal"])
def test_a_counsellor_reading_another_group_is_refused_and_audited(cast, counselling, group):
    counsellor, case = counselling["counsellor"], counselling["referred"]
    view = selectors.case_view_for(counsellor, case.public_id)
    with pytest.raises(selectors.SectionNotShared):
        view.section(group)
    denied = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED, actor=counsellor).get()
    assert denied.fields == [group]


def test_a_counsellor_does_not_record_case_work(cast, counselling):
    counsellor, case = counselling["counsellor"], counselling["referred"]
    access = selectors.case_access(counsellor, selectors.case_get_for(counsellor, case.public_id))
    assert (access.full, access.can_work) == (False, False)
    with pytest.raises(PermissionDenied):
        f.assess(counsellor, case)
    with pytest.raises(PermissionDenied):
        services.referral_send(
            actor=counsellor,
            case=case,
            to_organisation=f.partner().org,
            service_type="medical",
            share_groups=["contact"],
        )


def test_a_counsellor_gets_no_duplicate_matches_and_no_referral_outbox(cast, counselling):
    counsellor = counselling["counsellor"]
    assert selectors.duplicates_for(counsellor, name="Mwanajuma Baraka") == []
    assert not selectors.referrals_visible_to(counsellor).exists()


def test_unassigning_the_counsellor_ends_their_view(cast, counselling):
    counsellor, case = counselling["counsellor"], counselling["referred"]
    services.case_assign(
        actor=cast.supervisor, case=case, workers=[cast.owner], expected_version=case.version
    )
    assert not selectors.cases_visible_to(counsellor).exists()
    with pytest.raises(Http404):
        selectors.case_view_for(counsellor, case.public_id)


def test_the_case_page_and_api_show_a_counsellor_only_their_groups(cast, counselling):
    counsellor, case = counselling["counsellor"], counselling["referred"]
    client = client_for(counsellor)
    page = client.get(f"/cases/{case.public_id}/")
    assert page.status_code == 200
    assert b"0712" not in page.content and b"Met at the beach" in page.content
    body = client.get(f"/api/v1/cases/{case.public_id}/").json()
    assert (body["full"], set(body["groups"])) == (False, EXPECTED_GROUPS)
    assert client.get(f"/cases/{counselling['other'].public_id}/").status_code == 404


def test_a_colleague_case_worker_still_sees_every_group_of_their_case(cast, counselling):
    view = selectors.case_view_for(cast.owner, counselling["referred"].public_id)
    assert view.full and set(view.sections) == ALL_GROUPS
