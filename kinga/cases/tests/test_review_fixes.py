"""Regression tests for the security review's findings (numbers in the comments)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from kinga.cases import selectors, services
from kinga.cases.codes import CaseStatus, ReferralStatus
from kinga.cases.models import Case, Consent
from kinga.cases.tests import factories as f
from kinga.core.errors import DomainError
from kinga.core.testing import client_for

pytestmark = pytest.mark.django_db


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _refer(cast, case, partner, service_type="medical", groups=("identity",)):
    return services.referral_send(
        actor=cast.owner,
        case=_fresh(case),
        to_organisation=partner.org,
        service_type=service_type,
        share_groups=list(groups),
        expected_version=_fresh(case).version,
    )


# -- 1. withdrawal ends every consent ----------------------------------------------------


def test_withdrawing_consent_withdraws_older_consents_and_a_referral_is_then_refused(cast):
    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    f.consent(cast.owner, _fresh(case))  # re-recorded, e.g. to change the scope
    case = _fresh(case)
    client = client_for(cast.owner)
    url = reverse("cases:action", args=[case.public_id, "withdraw-consent"])
    assert client.post(url, {"expected_version": case.version, "note": "x"}).status_code == 302
    assert not Consent.objects.filter(case=case, withdrawn_at__isnull=True).exists()
    assert selectors.consent_in_force(case) is None
    partner = f.partner()
    with pytest.raises(DomainError) as error:
        _refer(cast, case, partner)
    assert error.value.code == "consent_missing"
    assert "withdrawn" in error.value.message


def test_the_gate_refuses_when_any_consent_was_withdrawn_after_the_latest_was_recorded(cast):
    from django.utils import timezone

    case = f.register(cast.owner)
    older = f.consent(cast.owner, case)
    newer = f.consent(cast.owner, _fresh(case))
    # Data written before the fix: only the older consent marked withdrawn, later.
    Consent.objects.filter(pk=older.pk).update(withdrawn_at=timezone.now())
    assert selectors.consent_in_force(case) is None
    assert selectors.consent_gaps(case, organisation_kind="health_facility")
    assert newer.withdrawn_at is None


def test_consent_recorded_again_after_a_withdrawal_is_in_force(cast):
    case = f.register(cast.owner)
    consent = f.consent(cast.owner, case)
    services.consent_withdraw(actor=cast.owner, consent=consent)
    again = f.consent(cast.owner, _fresh(case))
    assert selectors.consent_in_force(case) == again
    assert _refer(cast, case, f.partner()).status == ReferralStatus.SENT


# -- 2. ending a partner's access --------------------------------------------------------


def test_withdrawing_consent_cancels_an_accepted_referral_and_the_partner_loses_access(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    referral = _refer(cast, case, partner)
    services.referral_accept(actor=partner.user, referral=referral)
    partner_client = client_for(partner.user)
    assert partner_client.get(f"/api/v1/cases/{case.public_id}/").status_code == 200
    services.consent_withdraw(actor=cast.owner, consent=selectors.consent_in_force(case))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    assert partner_client.get(f"/api/v1/cases/{case.public_id}/").status_code == 404


def test_the_referring_team_cancels_an_accepted_referral_from_the_case_page(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    referral = _refer(cast, case, partner)
    services.referral_accept(actor=partner.user, referral=referral)
    case = _fresh(case)
    client = client_for(cast.owner)
    url = reverse("cases:action", args=[case.public_id, "cancel-referral"])
    page = client.get(url).content.decode()
    assert "Partner HLT" in page
    response = client.post(url, {"expected_version": case.version, "referral": referral.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    assert client_for(partner.user).get(f"/cases/{case.public_id}/").status_code == 404
    assert client_for(cast.outsider).get(url).status_code == 404


def test_the_cancel_referral_page_offers_only_this_cases_open_referrals(cast):
    case = f.in_progress(cast)
    other_case = f.in_progress(cast, given_name="Zawadi", phone="0722000111")
    partner = f.partner()
    foreign = _refer(cast, other_case, partner)
    case = _fresh(case)
    client = client_for(cast.owner)
    url = reverse("cases:action", args=[case.public_id, "cancel-referral"])
    response = client.post(url, {"expected_version": case.version, "referral": foreign.pk})
    assert response.status_code == 200
    foreign.refresh_from_db()
    assert foreign.status == ReferralStatus.SENT


def test_the_referring_team_cancels_a_referral_through_the_api_and_a_partner_cannot(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    referral = _refer(cast, case, partner)
    services.referral_accept(actor=partner.user, referral=referral)
    url = f"/api/v1/referrals/{referral.public_id}/cancel/"
    refused = client_for(partner.user).post(url, {}, content_type="application/json")
    assert refused.status_code == 403
    answer = client_for(cast.owner).post(url, {}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    again = client_for(cast.owner).post(url, {}, content_type="application/json")
    assert again.status_code == 409


def _closing(cast) -> Case:
    case = f.in_progress(cast)
    services.case_close(
        actor=cast.owner,
        case=case,
        outcome="reintegrated",
        child_safe=True,
        goals_reviewed=True,
        expected_version=case.version,
    )
    return _fresh(case)


def test_a_supervisor_returns_a_closure_from_the_case_page(cast):
    case = _closing(cast)
    client = client_for(cast.supervisor)
    assert "return-closure" in client.get(f"/cases/{case.public_id}/").content.decode()
    url = reverse("cases:action", args=[case.public_id, "return-closure"])
    response = client.post(url, {"expected_version": case.version, "comment": "One more visit"})
    assert response.status_code == 302
    assert _fresh(case).status == CaseStatus.IN_PROGRESS
    assert client_for(cast.owner).get(url).status_code == 404  # not a supervisor


def test_a_supervisor_returns_a_closure_through_the_api_and_a_case_worker_cannot(cast):
    case = _closing(cast)
    url = f"/api/v1/cases/{case.public_id}/close/return/"
    body = {"expected_version": case.version, "comment": "One more visit"}
    assert client_for(cast.owner).post(url, body, "application/json").status_code == 403
    answer = client_for(cast.supervisor).post(url, body, "application/json")
    assert answer.status_code == 200
    assert _fresh(case).status == CaseStatus.IN_PROGRESS
    body["expected_version"] = _fresh(case).version
    assert client_for(cast.supervisor).post(url, body, "application/json").status_code == 409


def test_a_worker_of_another_organisation_cannot_cancel_a_referral(cast):
    case = f.in_progress(cast)
    referral = _refer(cast, case, f.partner())
    with pytest.raises(Http404):
        services.referral_cancel(actor=cast.outsider, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


# -- 3. a transfer ends the old organisation's referrals ---------------------------------


def test_a_transfer_cancels_sent_and_accepted_referrals_and_the_partner_loses_access(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    other = f.partner("CLN", offers=("psychosocial",))
    sent = _refer(cast, case, partner)
    accepted = _refer(cast, case, other, service_type="psychosocial")
    services.referral_accept(actor=other.user, referral=accepted)
    case = _fresh(case)
    services.case_transfer(
        actor=cast.owner,
        case=case,
        to_organisation=cast.other_org,
        reason="moved",
        expected_version=case.version,
    )
    sent.refresh_from_db()
    accepted.refresh_from_db()
    assert sent.status == accepted.status == ReferralStatus.CANCELLED
    assert client_for(other.user).get(f"/api/v1/cases/{case.public_id}/").status_code == 404
    answer = client_for(partner.user).post(f"/api/v1/referrals/{sent.public_id}/accept/")
    assert answer.status_code == 409


def test_a_partner_cannot_accept_a_referral_of_a_case_that_is_no_longer_open(cast):
    case = f.in_progress(cast)
    partner = f.partner()
    referral = _refer(cast, case, partner)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.TRANSFERRED)
    with pytest.raises(DomainError) as error:
        services.referral_accept(actor=partner.user, referral=referral)
    assert error.value.code == "wrong_status"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


# -- 4. a suspected exploiter's consent does not satisfy the gate ------------------------


def test_caregiver_consent_does_not_count_when_a_caregiver_is_a_suspected_exploiter(cast):
    case = f.register(cast.owner)
    f.consent(cast.owner, case)  # caregiver consent, recorded before the suspicion
    services.caregiver_add(
        actor=cast.owner,
        case=_fresh(case),
        name="Bakari Juma",
        relationship="father",
        suspected_exploiter=True,
        expected_version=_fresh(case).version,
    )
    gaps = selectors.consent_gaps(case, organisation_kind="health_facility")
    assert any("lawful basis" in gap for gap in gaps)
    with pytest.raises(DomainError) as error:
        _refer(cast, case, f.partner(), groups=("identity", "family"))
    assert error.value.code == "consent_missing"
    assert "suspected exploiter" in error.value.message


def test_a_recorded_lawful_basis_satisfies_the_gate_when_a_caregiver_is_a_suspect(cast):
    case = f.register(cast.owner)
    services.caregiver_add(
        actor=cast.owner,
        case=case,
        name="Bakari Juma",
        relationship="father",
        suspected_exploiter=True,
        expected_version=_fresh(case).version,
    )
    f.consent(
        cast.owner,
        _fresh(case),
        caregiver_consent=False,
        lawful_basis="child_protection",
        lawful_basis_note="The father is the suspect.",
    )
    assert selectors.consent_gaps(case, organisation_kind="health_facility") == []


# -- 8. a transfer's consent-override reason is kept -------------------------------------


def test_a_transfer_override_keeps_the_sealed_reason_who_overrode_an_audit_and_an_event(cast):
    from kinga.audit.models import AuditAction, AuditEvent
    from kinga.cases.models import CaseEvent

    case = f.register(cast.owner)
    transfer = services.case_transfer(
        actor=cast.supervisor,
        case=_fresh(case),
        to_organisation=cast.other_org,
        reason="moved",
        expected_version=_fresh(case).version,
        consent_override_reason="The child moved to Mombasa; caregiver unreachable.",
    )
    transfer.refresh_from_db()
    assert transfer.consent_overridden and transfer.override_by == cast.supervisor
    assert transfer.override_reason.startswith("The child moved")
    audit = AuditEvent.objects.get(action=AuditAction.CONSENT_OVERRIDE)
    assert audit.fields == ["override_reason"]
    assert CaseEvent.objects.filter(case=case, kind="consent_override").count() == 1
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT override_reason FROM cases_transfer")
        assert "Mombasa" not in cursor.fetchone()[0]


# -- 12. only the case's own organisation transfers, closes or refers --------------------


def test_a_county_officer_cannot_transfer_close_or_refer_another_organisations_case(cast):
    case = f.in_progress(cast)
    officer = f.county_officer()
    client = client_for(officer)
    version = _fresh(case).version
    api = f"/api/v1/cases/{case.public_id}"
    transfer = {"to_organisation": cast.other_org.code, "reason": "x", "expected_version": version}
    assert client.post(f"{api}/transfer/", transfer, "application/json").status_code == 403
    close = {
        "outcome": "reintegrated",
        "child_safe": True,
        "goals_reviewed": True,
        "expected_version": version,
    }
    assert client.post(f"{api}/close/", close, "application/json").status_code == 403
    partner = f.partner()
    refer = {
        "to_organisation": partner.org.code,
        "service_type": "medical",
        "share_groups": ["identity"],
        "expected_version": version,
    }
    assert client.post(f"{api}/referrals/", refer, "application/json").status_code == 403
    case = _fresh(case)
    assert case.organisation == cast.org and case.status == CaseStatus.IN_PROGRESS
    assert not case.referrals.exists()


# -- 13. an idempotency key reused on another case ---------------------------------------


def test_an_idempotency_key_reused_on_another_case_is_a_409_not_a_silent_drop(cast):
    from django.utils import timezone

    from kinga.cases.models import Service

    a = f.in_progress(cast)
    b = f.in_progress(cast, given_name="Zawadi", phone="0722000111")
    client = client_for(cast.owner)

    def post(case):
        body = {
            "service_type": "medical",
            "delivered_on": str(timezone.localdate()),
            "idempotency_key": "k1",
            "expected_version": _fresh(case).version,
        }
        return client.post(f"/api/v1/cases/{case.public_id}/services/", body, "application/json")

    assert post(a).status_code == 201
    reused = post(b)
    assert reused.status_code == 409 and reused.json()["error"] == "form_reused"
    assert not Service.objects.filter(case=b).exists()
    assert post(a).status_code == 201  # the same submission again on the same case: a replay
    assert Service.objects.filter(case=a).count() == 1


# -- 15. stale-edit checks are never skipped ---------------------------------------------


def test_a_page_form_without_the_case_version_is_refused(cast):
    case = f.in_progress(cast)
    response = client_for(cast.owner).post(f"/cases/{case.public_id}/risk/", {"risk": "low"})
    assert response.status_code == 200
    assert _fresh(case).risk == "high"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("consents", {"child_assent": "given", "caregiver_consent": True}),
        ("services", {"service_type": "medical"}),
        ("referrals", {"to_organisation": "HLT", "service_type": "medical"}),
        ("caregivers", {"name": "Omari", "relationship": "relative"}),
        ("interviews", {"happened_at": "2026-01-01T10:00:00+03:00", "purpose": "disclosure"}),
        ("conferences", {"held_at": "2026-01-01T10:00:00+03:00", "decisions": "x"}),
    ],
)
def test_api_writes_to_a_case_require_the_expected_version(cast, path, body):
    case = f.in_progress(cast)
    f.partner()
    answer = client_for(cast.owner).post(
        f"/api/v1/cases/{case.public_id}/{path}/", body, "application/json"
    )
    assert answer.status_code == 400 and "expected_version" in answer.json()["detail"]
    assert _fresh(case).version == case.version


# -- 16. out-of-range dates and years are 400s, not 500s ---------------------------------


def test_a_conference_in_year_one_is_a_400_on_the_api_and_a_message_on_the_page(cast):
    case = f.in_progress(cast)
    client = client_for(cast.owner)
    body = {
        "held_at": "0001-01-01T00:00:00+03:00",
        "decisions": "x",
        "expected_version": case.version,
    }
    answer = client.post(f"/api/v1/cases/{case.public_id}/conferences/", body, "application/json")
    assert answer.status_code == 400 and "held_at" in answer.json()["detail"]
    page = client.post(
        f"/cases/{case.public_id}/conference/",
        {"held_at": "0001-01-01 00:00", "decisions": "x", "expected_version": case.version},
    )
    assert page.status_code == 200
    assert not case.conferences.exists()


def test_a_conference_before_the_child_was_born_is_refused(cast):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    case = f.in_progress(cast)
    with pytest.raises(ValidationError):
        services.case_conference_record(
            actor=cast.owner,
            case=case,
            held_at=timezone.now().replace(year=timezone.now().year - 20),
            decisions="x",
            expected_version=case.version,
        )


def test_the_duplicate_check_refuses_a_30_digit_birth_year_with_a_400(cast):
    client = client_for(cast.owner)
    client.raise_request_exception = False
    url = "/api/v1/cases/duplicates/"
    for year in (int("9" * 30), 1899, 10_000):
        answer = client.post(url, {"name": "Amina", "birth_year": year}, "application/json")
        assert answer.status_code == 400 and "birth_year" in answer.json()["detail"]


# -- 17. a plan is decided only on an open case ------------------------------------------


def test_a_case_plan_cannot_be_approved_on_a_closed_case(cast):
    from kinga.cases.codes import PlanStatus

    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    f.assess(cast.owner, case)
    plan = f.submit_plan(cast.owner, case)
    closure = services.case_close(
        actor=cast.owner,
        case=_fresh(case),
        outcome="lost_contact",
        goals_reviewed=True,
        expected_version=_fresh(case).version,
    )
    services.case_close_approve(
        actor=cast.supervisor, closure=closure, expected_version=_fresh(case).version
    )
    with pytest.raises(DomainError) as error:
        services.case_plan_approve(
            actor=cast.supervisor, plan=plan, expected_version=_fresh(case).version
        )
    assert error.value.code == "wrong_status"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and _fresh(case).status == CaseStatus.CLOSED


# -- 18. a case worker's override reason is a message, not a bare 403 --------------------


def test_a_case_worker_offering_an_override_reason_sees_a_message(cast):
    case = f.register(cast.owner)
    partner = f.partner()
    response = client_for(cast.owner).post(
        f"/cases/{case.public_id}/refer/",
        {
            "to_organisation": partner.org.pk,
            "service_type": "medical",
            "share_groups": ["identity"],
            "consent_override_reason": "urgent",
            "expected_version": case.version,
        },
    )
    assert response.status_code == 200
    assert "Only a supervisor" in response.content.decode()
    assert not case.referrals.exists()


# -- 10. a reassigned registrar loses the case -------------------------------------------


def test_a_case_worker_reassigned_away_from_a_case_they_registered_no_longer_sees_it(cast):
    case = f.in_progress(cast)
    assert case.registered_by == cast.owner
    services.case_assign(
        actor=cast.supervisor,
        case=_fresh(case),
        workers=[cast.colleague],
        expected_version=_fresh(case).version,
    )
    assert client_for(cast.owner).get(f"/api/v1/cases/{case.public_id}/").status_code == 404
    assert client_for(cast.colleague).get(f"/api/v1/cases/{case.public_id}/").status_code == 200


def test_a_registrar_still_sees_a_case_nobody_is_assigned_to_and_a_chv_keeps_theirs(cast):
    from kinga.accounts.roles import Role
    from kinga.cases.models import CaseAssignment
    from kinga.core.testing import make_user

    case = f.register(cast.owner)
    CaseAssignment.objects.filter(case=case).delete()
    assert selectors.cases_visible_to(cast.owner).filter(pk=case.pk).exists()
    chv = make_user("chv@t.example", Role.CHV, cast.org)
    theirs = f.register(cast.owner, given_name="Zawadi", phone="0722000111")
    Case.objects.filter(pk=theirs.pk).update(registered_by=chv)  # e.g. from a field report
    services.case_assign(
        actor=cast.supervisor,
        case=_fresh(theirs),
        workers=[cast.colleague],
        expected_version=_fresh(theirs).version,
    )
    assert selectors.cases_visible_to(chv).filter(pk=theirs.pk).exists()


# -- 9. a partner's list rows follow the share profile -----------------------------------


def _accepted(cast, groups, code="SCH", kind="school", service="school"):
    case = f.in_progress(cast)
    partner = f.partner(code, kind=kind, offers=(service,))
    referral = _refer(cast, case, partner, service_type=service, groups=groups)
    services.referral_accept(actor=partner.user, referral=referral)
    return case, partner


def test_a_partner_sees_only_the_case_number_and_referral_status_in_the_case_list(cast):
    case, partner = _accepted(cast, ["education"])
    client = client_for(partner.user)
    row = client.get("/api/v1/cases/").json()["results"][0]
    assert row["number"] == case.number and row["referral_status"] == "Accepted"
    assert row["status"] is row["risk"] is row["registered_at"] is row["organisation"] is None
    page = client.get("/cases/").content.decode()
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    assert case.number in table and "Referral: Accepted" in table
    assert "High" not in table and "Kwale" not in table and "In progress" not in table


def test_a_partner_whose_profile_includes_the_summary_sees_it_in_the_list(cast):
    case, partner = _accepted(cast, ["summary"])
    row = client_for(partner.user).get("/api/v1/cases/").json()["results"][0]
    assert row["status"] == case.status and row["risk"] == "high"
    own = client_for(cast.owner).get("/api/v1/cases/").json()["results"][0]
    assert own["risk"] == "high" and own["referral_status"] is None


# -- 11. the duplicate check is audited and keeps names out of URLs ----------------------


def test_each_duplicate_candidate_shown_is_audited_as_a_view_of_identity(cast):
    from kinga.audit.models import AuditAction, AuditEvent

    case = f.register(cast.owner)
    client = client_for(cast.owner)
    before = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    found = client.post(
        "/api/v1/cases/duplicates/",
        {"name": "Mwanajuma Baraka", "phone": "0712345678"},
        "application/json",
    ).json()
    assert [d["case_number"] for d in found] == [case.number]
    views = AuditEvent.objects.filter(action=AuditAction.VIEW).order_by("pk")[before:]
    assert [(e.fields, e.detail.get("via")) for e in views] == [(["identity"], "duplicate_check")]
    page = client.post(
        "/cases/new/",
        {
            "given_name": "Mwanajuma",
            "family_name": "Baraka",
            "age_years": 14,
            "county": case.child.county_id,
            "sex": "female",
            "risk": "high",
        },
    )
    assert "Mwanajuma Baraka" in page.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == before + 2


def test_the_duplicate_check_is_not_answered_on_a_get_with_names_in_the_url(cast):
    f.register(cast.owner)
    answer = client_for(cast.owner).get("/api/v1/cases/duplicates/?name=Mwanajuma")
    assert answer.status_code == 405


# -- 14. identity-bearing labels are sealed ----------------------------------------------


def test_income_source_responsible_and_interviewer_labels_are_sealed_at_rest(cast):
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from kinga.cases.models import Household, Interview, PlanAction

    case = f.register(cast.owner)
    f.consent(cast.owner, case)
    f.assess(cast.owner, case)
    goals = f.plan_goals()
    goals[0]["actions"][0]["responsible_label"] = "Aunt Halima Mwakideu"
    goals[0]["actions"][0]["due_on"] = timezone.localdate() + timedelta(days=3)
    services.case_plan_submit(
        actor=cast.owner, case=_fresh(case), goals=goals, expected_version=_fresh(case).version
    )
    services.interview_log(
        actor=cast.owner,
        case=_fresh(case),
        happened_at=timezone.now(),
        purpose="disclosure",
        interviewer_label="Cpl. Otieno, Ukunda CPU",
        expected_version=_fresh(case).version,
    )
    services.household_update(
        actor=cast.owner,
        case=_fresh(case),
        expected_version=_fresh(case).version,
        income_source="Halima Mwakideu's kiosk",
    )
    assert PlanAction.objects.get().responsible_label == "Aunt Halima Mwakideu"
    assert Interview.objects.get().interviewer_label == "Cpl. Otieno, Ukunda CPU"
    assert Household.objects.get().income_source == "Halima Mwakideu's kiosk"
    with connection.cursor() as cursor:
        for table, column in [
            ("cases_planaction", "responsible_label"),
            ("cases_interview", "interviewer_label"),
            ("cases_household", "income_source"),
        ]:
            cursor.execute(f"SELECT {column} FROM {table}")
            stored = cursor.fetchone()[0]
            assert stored.startswith("v1$") and "Halima" not in stored and "Otieno" not in stored
