"""The visibility table, the share-profile view, tasks in one query, duplicate ranking."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from kinga.audit.models import AuditAction, AuditEvent
from kinga.cases import selectors, services
from kinga.cases.models import Case
from kinga.cases.tests import factories as f
from kinga.core.testing import make_user


@pytest.fixture
def world(cast):
    """A Kwale case owned by cast.org, registered by cast.owner; a partner; officers."""
    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    case.refresh_from_db()
    partner = f.partner()
    return {
        "case": case,
        "partner": partner,
        "officer_in": f.county_officer("002", "in@c.example"),
        "officer_out": f.county_officer("001", "out@c.example"),
    }


def _sees(user, case) -> bool:
    return selectors.cases_visible_to(user).filter(pk=case.pk).exists()


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("owner", True),
        ("colleague", False),
        ("supervisor", True),
        ("outsider", False),
        ("other_admin", False),
        ("org_admin", False),
        ("me_officer", False),
        ("sysadmin", False),
    ],
)
def test_the_visibility_table_for_the_cast(cast, world, who, sees):
    assert _sees(getattr(cast, who), world["case"]) is sees


def test_an_assigned_colleague_sees_the_case_and_the_reassigned_registrar_does_not(cast, world):
    case = world["case"]
    services.case_assign(
        actor=cast.supervisor, case=case, workers=[cast.colleague], expected_version=case.version
    )
    assert _sees(cast.colleague, case)
    # Registering a case is no lasting key to it: reassigned away, the worker loses it.
    assert not _sees(cast.owner, case)


def test_county_officers_see_cases_in_their_county_only(world):
    assert _sees(world["officer_in"], world["case"])
    assert not _sees(world["officer_out"], world["case"])


def test_a_partner_sees_the_case_only_while_the_referral_is_accepted(cast, world):
    case, partner = world["case"], world["partner"]
    assert not _sees(partner.user, case)  # before
    referral = services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=partner.org,
        service_type="medical",
        share_groups=["identity", "health"],
    )
    assert not _sees(partner.user, case)  # sent, not yet accepted
    services.referral_accept(actor=partner.user, referral=referral)
    assert _sees(partner.user, case)  # during
    services.referral_complete(
        actor=partner.user, referral=referral, delivered_on=timezone.localdate()
    )
    assert not _sees(partner.user, case)  # after
    with pytest.raises(Http404):
        selectors.case_view_for(partner.user, case.public_id)


def test_a_deactivated_worker_sees_nothing(cast, world):
    cast.owner.is_active = False
    cast.owner.save()
    assert not _sees(cast.owner, world["case"])


@pytest.mark.parametrize("bad", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", None, 42])
def test_case_get_for_answers_404_for_malformed_or_missing_ids(cast, world, bad):
    with pytest.raises(Http404):
        selectors.case_get_for(cast.owner, bad)


def test_case_get_for_answers_404_for_someone_elses_case(cast, world):
    with pytest.raises(Http404):
        selectors.case_get_for(cast.outsider, world["case"].public_id)


def test_the_partner_view_holds_only_the_share_profile_and_is_audited(cast, world):
    case, partner = world["case"], world["partner"]
    referral = services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=partner.org,
        service_type="medical",
        share_groups=["identity", "health"],
    )
    services.referral_accept(actor=partner.user, referral=referral)
    view = selectors.case_view_for(partner.user, case.public_id)
    assert set(view.sections) == {"identity", "health"}
    assert view.sections["identity"]["given_name"] == "Mwanajuma"
    assert "narrative" not in view and "contact" not in view
    assert not view.full
    read = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=partner.user).get()
    assert read.fields == ["health", "identity"]
    with pytest.raises(Http404):
        view.section("narrative")
    denied = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED, actor=partner.user)
    assert denied.fields == ["narrative"] and denied.outcome == "denied"


def test_the_team_view_holds_every_group_and_names_them_in_the_audit(cast, world):
    view = selectors.case_view_for(cast.owner, world["case"].public_id)
    assert view.full and view.sections["contact"]["phone"] == "0712 345 678"
    assert len(AuditEvent.objects.get(action=AuditAction.VIEW).fields) == 9


def test_a_suspected_exploiters_phone_is_never_in_a_view(cast, world):
    case = world["case"]
    services.caregiver_add(
        actor=cast.owner,
        case=case,
        name="Kazungu",
        relationship="relative",
        phone="0722 000 111",
        suspected_exploiter=True,
    )
    family = selectors.case_view_for(cast.owner, case.public_id).sections["family"]
    assert family["caregivers"][0]["phone"] == ""


# -- tasks -------------------------------------------------------------------------------


def test_tasks_are_bucketed_overdue_today_and_this_week_in_one_query(
    cast, django_assert_num_queries
):
    now = timezone.now()
    overdue = f.register(cast.owner)
    Case.objects.filter(pk=overdue.pk).update(first_contact_due=now - timedelta(hours=2))
    later = f.register(cast.owner, given_name="Hamisi")
    Case.objects.filter(pk=later.pk).update(
        first_contact_due=now + timedelta(days=3), assessment_due=now + timedelta(days=30)
    )
    with django_assert_num_queries(1):
        tasks = selectors.tasks_for(cast.owner, now=now)
    kinds = {(t.kind, t.case_number) for t in tasks.overdue}
    assert ("first_contact", overdue.number) in kinds
    assert [t.kind for t in tasks.week] == ["first_contact"]
    assert all(t.case_number != later.number for t in tasks.overdue)
    assert not selectors.tasks_for(cast.colleague, now=now)


def test_a_supervisor_sees_unassigned_cases_and_pending_approvals_as_tasks(cast):
    unassigned = f.register(cast.supervisor)
    waiting = f.register(cast.owner, given_name="Hamisi")
    f.assess(cast.owner, waiting)
    f.submit_plan(cast.owner, waiting)
    tasks = selectors.tasks_for(cast.supervisor, now=timezone.now() + timedelta(hours=2))
    found = {(t.kind, t.case_number) for t in tasks.overdue + tasks.today + tasks.week}
    assert ("assignment", unassigned.number) in found
    assert ("approve_plan", waiting.number) in found


def test_a_partner_has_the_referral_response_as_a_task(cast, world):
    case, partner = world["case"], world["partner"]
    services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=partner.org,
        service_type="medical",
        share_groups=["identity"],
    )
    tasks = selectors.tasks_for(partner.user)
    assert [t.kind for t in tasks.today + tasks.week] == ["referral_response"]


def test_team_workload_counts_active_and_overdue_cases_per_worker(cast):
    case = f.register(cast.owner)
    Case.objects.filter(pk=case.pk).update(first_contact_due=timezone.now() - timedelta(hours=1))
    rows = selectors.workload_for(cast.supervisor)
    assert rows == [
        {
            "user_id": cast.owner.pk,
            "user__full_name": cast.owner.full_name,
            "cases": 1,
            "overdue": 1,
        }
    ]
    assert selectors.workload_for(cast.owner) == []


# -- duplicates --------------------------------------------------------------------------

SYNTHETIC = [
    ("Mwanajuma", "Baraka", 2012),
    ("Mwanaisha", "Bakari", 2012),
    ("Amina", "Barasa", 2011),
    ("Zawadi", "Bahati", 2012),
    ("Kadzo", "Tsuma", 2013),
    ("Mwanamisi", "Baraza", 2012),
    ("Hamisi", "Karisa", 2012),
    ("Halima", "Juma", 2011),
    ("Mwanajuma", "Hamisi", 2012),  # same first name, another family: a weaker candidate
    ("Mwanajuma", "Baraka", 2016),  # same name, too young: excluded in SQL
]


def test_a_planted_misspelt_duplicate_ranks_first(cast):
    planted = None
    for given, family, year in SYNTHETIC:
        case = f.register(
            cast.owner, given_name=given, family_name=family, birth_year=year, nickname="", phone=""
        )
        if (given, family, year) == ("Mwanajuma", "Baraka", 2012):
            planted = case
    found = selectors.duplicates_for(
        cast.owner, name="Muanajumaa Barakka", birth_year=2012, county_id=f.kwale().pk
    )
    assert found[0].case_number == planted.number
    assert "name sounds alike" in found[0].reasons[0]
    assert "same year of birth" in found[0].reasons
    assert [d.name for d in found] == ["Mwanajuma Baraka", "Mwanajuma Hamisi"]
    assert found[0].score > found[1].score


def test_a_phone_match_is_a_duplicate_even_when_the_name_differs(cast):
    case = f.register(cast.owner, phone="+254712345678")
    found = selectors.duplicates_for(cast.owner, name="Someone Else", phone="0712345678")
    assert found[0].case_number == case.number
    assert "same phone number" in found[0].reasons


def test_duplicates_never_reveal_another_organisations_children(cast):
    f.register(cast.owner)
    assert selectors.duplicates_for(cast.outsider, name="Mwanajuma Baraka") == []


def test_only_the_narrowed_candidates_are_decrypted(cast, django_assert_max_num_queries):
    for given, family, year in SYNTHETIC:
        f.register(
            cast.owner, given_name=given, family_name=family, birth_year=year, nickname="", phone=""
        )
    with django_assert_max_num_queries(5):
        found = selectors.duplicates_for(cast.owner, name="Kazo Suma", birth_year=2013)
    assert [d.name for d in found] == ["Kadzo Tsuma"]


def test_the_case_list_for_a_worker_is_one_query(cast, django_assert_num_queries):
    for given, family, year in SYNTHETIC[:3]:
        f.register(cast.owner, given_name=given, family_name=family, birth_year=year)
    other = make_user("w2@t.example", "case_worker", cast.org)
    f.register(other, given_name="Zawadi")
    with django_assert_num_queries(1):
        rows = list(selectors.case_list_for(cast.owner, risk="high")[:25])
    assert len(rows) == 3
    assert rows[0].child.county.name == "Kwale"
