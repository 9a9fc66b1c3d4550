"""Each transition, each illegal one (the exact error, nothing written), consent gate
and override, stale edits, idempotent double submits, sealed storage."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from kinga.audit.models import AuditAction, AuditEvent
from kinga.cases import services
from kinga.cases.codes import AssentStatus, AssessmentKind, CaseStatus, ReferralStatus, Risk
from kinga.cases.models import (
    Case,
    CaseEvent,
    CasePlan,
    Child,
    ChildNameToken,
    Closure,
    Interview,
    Referral,
    RiskPolicy,
    Service,
)
from kinga.cases.tests import factories as f
from kinga.core.errors import DomainError, StaleEdit


def _fresh(case):
    case.refresh_from_db()
    return case


# -- registration ------------------------------------------------------------------------


def test_it_registers_a_case_with_the_minimum_data_and_sets_deadlines_by_risk(cast):
    case = f.register(cast.owner, risk=Risk.HIGH)
    assert case.status == CaseStatus.REGISTERED
    assert case.number == f"TST-{timezone.localdate().year}-000001"
    assert case.version == 1
    assert list(case.assigned_workers.all()) == [cast.owner]
    assert case.assignment_due is None
    assert case.first_contact_due - case.registered_at == timedelta(hours=24)
    assert case.assessment_due - case.registered_at == timedelta(days=14)
    assert list(case.categories.values_list("code", flat=True)) == ["sexual_exploitation"]
    assert CaseEvent.objects.filter(case=case, kind="registered").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_type="cases.case").exists()


def test_case_numbers_count_up_per_organisation_and_year_and_carry_no_identity(cast):
    first = f.register(cast.owner)
    second = f.register(cast.owner, given_name="Hamisi", family_name="Tsuma")
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"TST-{year}-000001", f"TST-{year}-000002")


def test_deadlines_come_from_the_risk_policy_table(cast):
    RiskPolicy.objects.filter(risk=Risk.LOW).update(first_contact_hours=10)
    case = f.register(cast.owner, risk=Risk.LOW)
    assert case.first_contact_due - case.registered_at == timedelta(hours=10)


def test_a_supervisor_registering_leaves_the_case_unassigned_with_an_assignment_deadline(cast):
    case = f.register(cast.supervisor, risk=Risk.HIGH)
    assert not case.assigned_workers.exists()
    assert case.assignment_due - case.registered_at == timedelta(hours=1)


def test_registering_someone_aged_18_offers_aged_out_handling_and_writes_nothing(cast):
    with pytest.raises(DomainError) as error:
        f.register(cast.owner, birth_year=timezone.localdate().year - 20)
    assert error.value.code == "aged_out"
    assert "aged out" in str(error.value.message)
    assert not Child.objects.exists() and not Case.objects.exists()
    case = f.register(cast.owner, birth_year=timezone.localdate().year - 20, aged_out=True)
    assert case.aged_out


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_year": 3000}, "birth_year"),
        ({"given_name": "", "nickname": ""}, "given_name"),
        ({"risk": "extreme"}, "risk"),
        ({"categories": ["nonsense"]}, "categories"),
    ],
)
def test_it_refuses_bad_registration_input_by_field_and_writes_nothing(cast, fields, field):
    with pytest.raises(ValidationError) as error:
        f.register(cast.owner, **fields)
    assert field in error.value.message_dict
    assert not Case.objects.exists() and not Child.objects.exists()


def test_people_without_the_register_permission_cannot_register(cast):
    for person in (cast.me_officer, cast.sysadmin, cast.org_admin):
        with pytest.raises(PermissionDenied):
            f.register(person)
    assert not Case.objects.exists()


def test_raw_database_columns_never_hold_plaintext_identity(cast):
    case = f.register(cast.owner)
    services.caregiver_add(actor=cast.owner, case=case, name="Fatuma Baraka", relationship="mother")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, family_name, nickname, phone, narrative, name_index "
            "FROM cases_child"
        )
        row = " ".join(cursor.fetchone())
        cursor.execute("SELECT name FROM cases_caregiver")
        row += " ".join(cursor.fetchone())
        cursor.execute("SELECT token FROM cases_childnametoken")
        row += " ".join(r[0] for r in cursor.fetchall())
    for plaintext in ("Mwanajuma", "Baraka", "Juma", "712", "beach", "Fatuma", "mwanajuma"):
        assert plaintext not in row
    assert Child.objects.get().given_name == "Mwanajuma"
    assert ChildNameToken.objects.filter(kind="caregiver").exists()


# -- optimistic concurrency and double submits -------------------------------------------


def test_a_stale_edit_names_who_changed_the_case_and_writes_nothing(cast):
    case = f.register(cast.owner)
    stale = case.version
    services.case_set_risk(actor=cast.owner, case=case, risk=Risk.MEDIUM, expected_version=stale)
    events = CaseEvent.objects.count()
    with pytest.raises(StaleEdit) as error:
        services.case_set_risk(
            actor=cast.supervisor, case=case, risk=Risk.LOW, expected_version=stale
        )
    assert cast.owner.full_name in str(error.value.message)
    assert "review" in str(error.value.message)
    assert _fresh(case).risk == Risk.MEDIUM
    assert CaseEvent.objects.count() == events


def test_a_double_submitted_form_is_done_once(cast):
    case = f.register(cast.owner)
    kwargs = {
        "actor": cast.owner,
        "case": case,
        "service_type": "school",
        "sub_type": "fees",
        "delivered_on": timezone.localdate(),
        "idempotency_key": "form-123",
    }
    first = services.service_record(**kwargs)
    second = services.service_record(**kwargs)
    assert first.pk == second.pk
    assert Service.objects.count() == 1
    assert CaseEvent.objects.filter(kind="service").count() == 1


def test_a_double_submitted_registration_makes_one_case(cast):
    first = f.register(cast.owner, idempotency_key="reg-1")
    second = f.register(cast.owner, idempotency_key="reg-1")
    assert first.pk == second.pk and Case.objects.count() == 1 and Child.objects.count() == 1


# -- consent -----------------------------------------------------------------------------


def test_consent_needs_a_reason_for_a_lawful_basis(cast):
    case = f.register(cast.owner)
    with pytest.raises(ValidationError) as error:
        f.consent(cast.owner, case, caregiver_consent=False, lawful_basis="child_protection")
    assert "lawful_basis_note" in error.value.message_dict
    assert not case.consents.exists()


def test_a_suspected_exploiters_consent_does_not_count(cast):
    case = f.register(cast.owner)
    carer = services.caregiver_add(
        actor=cast.owner,
        case=case,
        name="Kazungu",
        relationship="relative",
        suspected_exploiter=True,
    )
    with pytest.raises(ValidationError):
        f.consent(cast.owner, case, caregiver=carer)


def test_withdrawing_consent_cancels_sent_and_accepted_referrals(cast):
    case = f.register(cast.owner)
    consent = f.consent(cast.owner, case)
    partner = f.partner()
    other = f.partner("CLN", offers=("psychosocial",))
    referral = services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=partner.org,
        service_type="medical",
        share_groups=["identity"],
    )
    accepted = services.referral_send(
        actor=cast.owner,
        case=case,
        to_organisation=other.org,
        service_type="psychosocial",
        share_groups=["identity"],
    )
    services.referral_accept(actor=other.user, referral=accepted)
    services.consent_withdraw(actor=cast.owner, consent=consent)
    referral.refresh_from_db()
    accepted.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    assert accepted.status == ReferralStatus.CANCELLED
    with pytest.raises(DomainError) as error:
        services.consent_withdraw(actor=cast.owner, consent=consent)
    assert error.value.code == "already_withdrawn"


# -- assessment and plan -----------------------------------------------------------------


def test_the_initial_assessment_is_first_contact_and_the_comprehensive_one_assesses(cast):
    case = f.register(cast.owner)
    f.assess(cast.owner, case, kind=AssessmentKind.INITIAL)
    case = _fresh(case)
    assert case.status == CaseStatus.REGISTERED
    assert case.first_contact_at and case.first_contact_due is None
    f.assess(cast.owner, case, risk=Risk.MEDIUM, schooling="out_of_school", pep_given="yes")
    case = _fresh(case)
    assert (case.status, case.risk, case.assessment_due) == (CaseStatus.ASSESSED, "medium", None)


def test_an_assessment_dated_in_the_future_is_refused(cast):
    case = f.register(cast.owner)
    with pytest.raises(ValidationError) as error:
        f.assess(cast.owner, case, sexual_assault_at=timezone.now() + timedelta(days=2))
    assert "sexual_assault_at" in error.value.message_dict
    assert not case.assessments.exists()


def test_a_plan_before_the_comprehensive_assessment_is_refused(cast):
    case = f.register(cast.owner)
    with pytest.raises(DomainError) as error:
        f.submit_plan(cast.owner, case)
    assert error.value.code == "assessment_missing"
    assert not CasePlan.objects.exists()


def test_a_plan_is_submitted_then_approved_and_follow_ups_start(cast):
    case = f.register(cast.owner)
    f.assess(cast.owner, case)
    plan = f.submit_plan(cast.owner, case)
    case = _fresh(case)
    assert case.status == CaseStatus.CASE_PLAN
    with pytest.raises(DomainError) as error:
        f.submit_plan(cast.owner, case)
    assert error.value.code == "plan_pending"
    with pytest.raises(PermissionDenied):
        services.case_plan_approve(actor=cast.owner, plan=plan, expected_version=case.version)
    services.case_plan_approve(actor=cast.supervisor, plan=plan, expected_version=case.version)
    case = _fresh(case)
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.plan_due is None and case.next_follow_up_due is not None
    with pytest.raises(DomainError):
        services.case_plan_approve(actor=cast.supervisor, plan=plan, expected_version=case.version)


def test_a_returned_plan_needs_a_comment_and_can_be_resubmitted(cast):
    case = f.register(cast.owner)
    f.assess(cast.owner, case)
    plan = f.submit_plan(cast.owner, case)
    case = _fresh(case)
    with pytest.raises(ValidationError):
        services.case_plan_return(
            actor=cast.supervisor, plan=plan, expected_version=case.version, comment=" "
        )
    services.case_plan_return(
        actor=cast.supervisor, plan=plan, expected_version=case.version, comment="Add a goal."
    )
    assert CasePlan.objects.get(pk=plan.pk).status == "returned"
    assert f.submit_plan(cast.owner, case).status == "submitted"


# -- services, follow-ups, interviews, conferences ---------------------------------------


def test_a_service_subtype_must_belong_to_its_service(cast):
    case = f.register(cast.owner)
    with pytest.raises(ValidationError) as error:
        services.service_record(
            actor=cast.owner,
            case=case,
            service_type="medical",
            sub_type="uniform",
            delivered_on=timezone.localdate(),
        )
    assert "sub_type" in error.value.message_dict
    assert not Service.objects.exists()


def test_a_follow_up_reassesses_risk_and_moves_the_next_due_date_by_cadence(cast):
    case = f.in_progress(cast)
    when = timezone.now() - timedelta(hours=1)
    services.follow_up_record(
        actor=cast.owner,
        case=case,
        kind="home_visit",
        happened_at=when,
        risk_after=Risk.LOW,
        expected_version=case.version,
    )
    case = _fresh(case)
    assert case.risk == Risk.LOW
    assert case.next_follow_up_due == when + timedelta(days=30)


def test_a_follow_up_in_the_future_is_refused(cast):
    case = f.in_progress(cast)
    with pytest.raises(ValidationError):
        services.follow_up_record(
            actor=cast.owner,
            case=case,
            kind="phone",
            happened_at=timezone.now() + timedelta(days=1),
            risk_after=Risk.LOW,
            expected_version=case.version,
        )


def test_a_further_interview_needs_a_justification(cast):
    case = f.register(cast.owner)
    when = timezone.now() - timedelta(hours=2)
    services.interview_log(actor=cast.owner, case=case, happened_at=when, purpose="disclosure")
    with pytest.raises(DomainError) as error:
        services.interview_log(actor=cast.owner, case=case, happened_at=when, purpose="assessment")
    assert error.value.code == "justification_needed"
    assert Interview.objects.count() == 1
    services.interview_log(
        actor=cast.owner,
        case=case,
        happened_at=when,
        purpose="police_statement",
        justification="The police need a statement for the charge sheet.",
    )
    assert Interview.objects.count() == 2


def test_a_case_conference_needs_decisions(cast):
    case = f.register(cast.owner)
    with pytest.raises(ValidationError):
        services.case_conference_record(
            actor=cast.supervisor, case=case, held_at=timezone.now(), decisions=""
        )
    conference = services.case_conference_record(
        actor=cast.supervisor,
        case=case,
        held_at=timezone.now(),
        decisions="Move to shelter.",
        participants=[cast.owner, cast.supervisor],
    )
    assert conference.participants.count() == 2


# -- referrals ---------------------------------------------------------------------------


def _send(cast, case, partner, **extra):
    return services.referral_send(
        actor=extra.pop("actor", cast.owner),
        case=case,
        to_organisation=partner.org,
        service_type=extra.pop("service_type", "medical"),
        share_groups=extra.pop("share_groups", ["identity", "health"]),
        **extra,
    )


def test_a_referral_without_consent_is_refused_saying_what_is_missing(cast):
    case = f.register(cast.owner)
    partner = f.partner()
    with pytest.raises(DomainError) as error:
        _send(cast, case, partner)
    assert error.value.code == "consent_missing"
    assert "No consent has been recorded" in str(error.value.message)
    assert "supervisor" in str(error.value.message)
    assert not Referral.objects.exists()


def test_a_referral_needs_caregiver_consent_or_a_lawful_basis_when_a_caregiver_exploits(cast):
    case = f.register(cast.owner)
    services.caregiver_add(
        actor=cast.owner,
        case=case,
        name="Kazungu",
        relationship="relative",
        suspected_exploiter=True,
    )
    f.consent(cast.owner, case, caregiver_consent=False)
    partner = f.partner()
    with pytest.raises(DomainError) as error:
        _send(cast, case, partner)
    assert "suspected exploiter" in str(error.value.message)
    f.consent(
        cast.owner,
        case,
        caregiver_consent=False,
        lawful_basis="child_protection",
        lawful_basis_note="Caregiver is the suspected exploiter.",
    )
    assert _send(cast, case, partner).status == ReferralStatus.SENT


def test_a_refused_assent_blocks_the_referral(cast):
    case = f.register(cast.owner)
    f.consent(cast.owner, case, child_assent=AssentStatus.REFUSED)
    with pytest.raises(DomainError) as error:
        _send(cast, case, f.partner())
    assert "assent" in str(error.value.message)


def test_only_a_supervisor_with_a_reason_can_override_the_consent_gate(cast):
    case = f.register(cast.owner)
    partner = f.partner()
    with pytest.raises(DomainError) as error:
        _send(cast, case, partner, consent_override_reason="urgent")
    assert error.value.code == "override_not_allowed"
    referral = _send(
        cast,
        case,
        partner,
        actor=cast.supervisor,
        consent_override_reason="PEP window closes tonight; caregiver unreachable.",
    )
    assert referral.consent_overridden and referral.override_by == cast.supervisor
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT_OVERRIDE).count() == 1
    assert CaseEvent.objects.filter(kind="consent_override").count() == 1


def test_a_referral_to_an_organisation_that_does_not_offer_the_service_is_refused(cast):
    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    with pytest.raises(DomainError) as error:
        _send(cast, case, f.partner(), service_type="legal_aid")
    assert error.value.code == "service_not_offered"
    assert not Referral.objects.exists()


def test_the_partner_accepts_and_completes_a_referral_recording_the_service(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    referral = _send(cast, case, partner)
    assert referral.response_due is not None
    with pytest.raises(Http404):
        services.referral_accept(actor=cast.outsider, referral=referral)
    services.referral_accept(actor=partner.user, referral=referral)
    with pytest.raises(DomainError):
        services.referral_accept(actor=partner.user, referral=referral)
    services.referral_complete(
        actor=partner.user, referral=referral, delivered_on=timezone.localdate(), sub_type="pep"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    service = Service.objects.get(referral=referral)
    assert service.organisation == partner.org and service.sub_type == "pep"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["referral_sent", "referral_accepted", "referral_completed"]


def test_declining_a_referral_needs_a_reason(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    referral = _send(cast, case, partner)
    with pytest.raises(ValidationError):
        services.referral_decline(actor=partner.user, referral=referral, reason="")
    services.referral_decline(actor=partner.user, referral=referral, reason="No PEP stock.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED and referral.decline_reason


# -- assignment, closure, reopening, transfer --------------------------------------------


def test_a_supervisor_assigns_and_reassigns_workers_of_their_organisation_only(cast):
    case = f.register(cast.supervisor)
    services.case_assign(
        actor=cast.supervisor, case=case, workers=[cast.colleague], expected_version=case.version
    )
    case = _fresh(case)
    assert list(case.assigned_workers.all()) == [cast.colleague] and case.assignment_due is None
    with pytest.raises(ValidationError):
        services.case_assign(
            actor=cast.supervisor, case=case, workers=[cast.outsider], expected_version=case.version
        )
    with pytest.raises(PermissionDenied):
        services.case_assign(
            actor=cast.owner, case=case, workers=[cast.owner], expected_version=case.version
        )


def test_closing_needs_an_outcome_and_the_final_check_then_supervisor_approval(cast):
    case = f.in_progress(cast)
    with pytest.raises(ValidationError) as error:
        services.case_close(actor=cast.owner, case=case, outcome="", expected_version=case.version)
    assert "outcome" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.case_close(
            actor=cast.owner, case=case, outcome="goals_met", expected_version=case.version
        )
    assert set(error.value.message_dict) == {"child_safe", "goals_reviewed"}
    assert not Closure.objects.exists()
    closure = services.case_close(
        actor=cast.owner,
        case=case,
        outcome="goals_met",
        child_safe=True,
        goals_reviewed=True,
        expected_version=case.version,
    )
    case = _fresh(case)
    assert case.status == CaseStatus.CLOSING
    with pytest.raises(DomainError):
        services.service_record(
            actor=cast.owner, case=case, service_type="school", delivered_on=timezone.localdate()
        )
    with pytest.raises(PermissionDenied):
        services.case_close_approve(
            actor=cast.owner, closure=closure, expected_version=case.version
        )
    services.case_close_approve(
        actor=cast.supervisor, closure=closure, expected_version=case.version
    )
    case = _fresh(case)
    assert case.status == CaseStatus.CLOSED and case.closed_at
    assert case.next_follow_up_due is None and case.first_contact_due is None


def test_a_returned_closure_puts_the_case_back(cast):
    case = f.in_progress(cast)
    closure = services.case_close(
        actor=cast.owner,
        case=case,
        outcome="lost_contact",
        goals_reviewed=True,
        expected_version=case.version,
    )
    case = _fresh(case)
    services.case_close_return(
        actor=cast.supervisor, closure=closure, expected_version=case.version, comment="Try again."
    )
    assert _fresh(case).status == CaseStatus.IN_PROGRESS


def test_a_case_with_open_referrals_cannot_be_closed(cast):
    case = f.in_progress(cast)
    _send(cast, case, f.partner())
    case = _fresh(case)
    with pytest.raises(DomainError) as error:
        services.case_close(
            actor=cast.owner,
            case=case,
            outcome="goals_met",
            child_safe=True,
            goals_reviewed=True,
            expected_version=case.version,
        )
    assert error.value.code == "referrals_open"


def test_a_closed_case_is_reopened_with_a_reason_and_only_a_closed_one(cast):
    case = f.in_progress(cast)
    with pytest.raises(DomainError):
        services.case_reopen(actor=cast.owner, case=case, reason="x", expected_version=case.version)
    closure = services.case_close(
        actor=cast.owner,
        case=case,
        outcome="goals_met",
        child_safe=True,
        goals_reviewed=True,
        expected_version=case.version,
    )
    case = _fresh(case)
    services.case_close_approve(
        actor=cast.supervisor, closure=closure, expected_version=case.version
    )
    case = _fresh(case)
    services.case_reopen(
        actor=cast.owner,
        case=case,
        reason="Seen at the beach again.",
        expected_version=case.version,
    )
    case = _fresh(case)
    assert case.status == CaseStatus.REOPENED and case.assessment_due and case.closed_at is None


def test_a_transfer_moves_the_one_record_and_the_receiving_supervisor_resumes_it(cast):
    case = f.in_progress(cast)
    receiving_supervisor = f.make_user("sup@o.example", "supervisor", cast.other_org)
    transfer = services.case_transfer(
        actor=cast.owner,
        case=case,
        to_organisation=cast.other_org,
        reason="Family moved.",
        expected_version=case.version,
    )
    case = _fresh(case)
    assert (case.organisation, case.status) == (cast.other_org, CaseStatus.TRANSFERRED)
    assert not case.assigned_workers.exists() and case.assignment_due
    assert Child.objects.count() == 1
    services.case_assign(
        actor=receiving_supervisor,
        case=case,
        workers=[cast.outsider],
        expected_version=case.version,
    )
    case = _fresh(case)
    assert case.status == transfer.previous_status == CaseStatus.IN_PROGRESS


def test_a_transfer_is_consent_gated_like_a_referral(cast):
    case = f.register(cast.owner)
    with pytest.raises(DomainError) as error:
        services.case_transfer(
            actor=cast.owner,
            case=case,
            to_organisation=cast.other_org,
            reason="Moved.",
            expected_version=case.version,
        )
    assert error.value.code == "consent_missing"
    assert _fresh(case).organisation == cast.org


def test_outsiders_cannot_work_on_a_case_they_cannot_see(cast):
    case = f.register(cast.owner)
    with pytest.raises(Http404):
        services.case_set_risk(
            actor=cast.outsider, case=case, risk=Risk.LOW, expected_version=case.version
        )
    with pytest.raises(Http404):
        services.service_record(
            actor=cast.me_officer,
            case=case,
            service_type="school",
            delivered_on=timezone.localdate(),
        )
    assert _fresh(case).risk == Risk.HIGH
