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
