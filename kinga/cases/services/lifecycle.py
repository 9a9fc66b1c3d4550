"""Assignment, closure (with supervisor approval), reopening and transfer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.accounts.models import Organisation
from kinga.accounts.roles import Action
from kinga.audit.models import AuditAction
from kinga.cases.codes import (
    ACTIVE_STATUSES,
    CaseStatus,
    ClosureOutcome,
    ClosureStatus,
    EventKind,
    ReferralStatus,
)
from kinga.cases.models import Case, CaseAssignment, Closure, RiskPolicy, Transfer
from kinga.cases.services._common import (
    audit,
    clear_deadlines,
    event,
    lock_case,
    require,
    require_open,
    require_own_organisation,
    touch,
)
from kinga.cases.services.referrals import consent_gate
from kinga.cases.services.registration import _check_assignable
from kinga.core.errors import DomainError

#: Outcomes for which "the child is safe" cannot be confirmed at the last check.
NO_SAFETY_CHECK = {ClosureOutcome.LOST_CONTACT, ClosureOutcome.DIED}


@transaction.atomic
def case_assign(
    *,
    actor: Any,
    case: Case,
    workers: Iterable[Any],
    expected_version: int,
    supervisor: Any = None,
    request: HttpRequest | None = None,
) -> Case:
    """Assign (or reassign) the case's workers. A case transferred in resumes work."""
    require(actor, Action.CASE_ASSIGN)
    case = lock_case(
        actor, case, expected_version=expected_version, work=False, statuses=ACTIVE_STATUSES
    )
    if case.organisation_id != actor.organisation_id:
        raise PermissionDenied
    people = list(dict.fromkeys(workers))
    if not people:
        raise ValidationError({"workers": _("Choose at least one worker.")})
    for worker in people:
        _check_assignable(actor, worker)
    if supervisor is not None and (
        supervisor.organisation_id != case.organisation_id
        or not supervisor.can(Action.CASE_APPROVE)
    ):
        raise ValidationError({"supervisor": _("Choose a supervisor of this organisation.")})
    before = set(case.assignments.values_list("user_id", flat=True))
    case.assignments.exclude(user__in=people).delete()
    CaseAssignment.objects.bulk_create(
        [CaseAssignment(case=case, user=w, assigned_by=actor) for w in people if w.pk not in before]
    )
    case.assignment_due = None
    changed = ["assignment_due"]
    if supervisor is not None:
        case.supervisor = supervisor
        changed.append("supervisor")
    if case.status == CaseStatus.TRANSFERRED:
        transfer = case.transfers.filter(received_at__isnull=True).first()
        case.status = transfer.previous_status if transfer else CaseStatus.IN_PROGRESS
        changed.append("status")
        if transfer:
            transfer.received_at = timezone.now()
            transfer.save(update_fields=["received_at"])
    touch(case, actor, *changed)
    event(case, actor, EventKind.ASSIGNED, workers=len(people), reassigned=bool(before))
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case=case,
        fields=["assigned_workers", *(["supervisor"] if supervisor else [])],
        request=request,
    )
    return case


@transaction.atomic
def case_close(
    *,
    actor: Any,
    case: Case,
    outcome: str,
    expected_version: int,
    child_safe: bool = False,
    goals_reviewed: bool = False,
    child_informed: bool = False,
    note: str = "",
    request: HttpRequest | None = None,
) -> Closure:
    """Ask to close the case with an outcome and the final check; a supervisor approves."""
    case = require_open(actor, case, expected_version)
    require_own_organisation(actor, case)
    if not outcome:
        raise ValidationError({"outcome": _("Choose the outcome of the case.")})
    if outcome not in ClosureOutcome.values:
        raise ValidationError({"outcome": _("Choose one of the listed outcomes.")})
    missing = {}
    if outcome not in NO_SAFETY_CHECK and not child_safe:
        missing["child_safe"] = _("Confirm the last check: the child is safe.")
    if not goals_reviewed:
        missing["goals_reviewed"] = _("Confirm the case plan goals were reviewed.")
    if missing:
        raise ValidationError(missing)
    still_open = case.referrals.filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]
    ).count()
    if still_open:
        raise DomainError(
            _("%(n)d referral(s) are still open; complete or cancel them before closing.")
            % {"n": still_open},
            code="referrals_open",
        )
    closure = Closure.objects.create(
        case=case,
        outcome=outcome,
        child_safe=child_safe,
        goals_reviewed=goals_reviewed,
        child_informed=child_informed,
        note=note.strip(),
        previous_status=case.status,
        requested_by=actor,
    )
    case.status = CaseStatus.CLOSING
    touch(case, actor, "status")
    event(case, actor, EventKind.CLOSE_REQUESTED, outcome=outcome)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=closure,
        case=case,
        fields=["outcome", "final_check", *(["note"] if note else [])],
        request=request,
        detail={"outcome": outcome},
    )
    return closure


def _lock_closure(actor: Any, closure: Closure, expected_version: int) -> tuple[Case, Closure]:
    require(actor, Action.CASE_APPROVE)
    case = lock_case(
        actor,
        closure.case,
        expected_version=expected_version,
        work=False,
        statuses=[CaseStatus.CLOSING],
    )
    if case.organisation_id != actor.organisation_id:
        raise PermissionDenied
    closure = Closure.objects.select_for_update().get(pk=closure.pk)
    if closure.status != ClosureStatus.PENDING:
        raise DomainError(_("This closure was already decided."), code="wrong_status")
    return case, closure


@transaction.atomic
def case_close_approve(
    *,
    actor: Any,
    closure: Closure,
    expected_version: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Case:
    case, closure = _lock_closure(actor, closure, expected_version)
    closure.status = ClosureStatus.APPROVED
    closure.decided_by, closure.decided_at = actor, timezone.now()
    closure.decision_comment = comment.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    touch(case, actor, "status", "closed_at", *clear_deadlines(case))
    event(case, actor, EventKind.CLOSE_APPROVED, outcome=closure.outcome)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case=case,
        fields=["status"],
        request=request,
        detail={"decision": "closed", "outcome": closure.outcome},
    )
    return case


@transaction.atomic
def case_close_return(
    *,
    actor: Any,
    closure: Closure,
    expected_version: int,
    comment: str,
    request: HttpRequest | None = None,
) -> Case:
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs to happen before closing.")})
    case, closure = _lock_closure(actor, closure, expected_version)
    closure.status = ClosureStatus.RETURNED
    closure.decided_by, closure.decided_at = actor, timezone.now()
    closure.decision_comment = comment.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    case.status = closure.previous_status
    touch(case, actor, "status")
    event(case, actor, EventKind.CLOSE_RETURNED)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=closure,
        case=case,
        fields=["status", "decision_comment"],
        request=request,
        detail={"decision": "returned"},
    )
    return case


@transaction.atomic
def case_reopen(
    *,
    actor: Any,
    case: Case,
    reason: str,
    expected_version: int,
    risk: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Reopen a closed case: it needs a fresh assessment and follow-ups by risk."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    case = lock_case(actor, case, expected_version=expected_version, statuses=[CaseStatus.CLOSED])
    if risk:
        case.risk = risk
    policy = RiskPolicy.for_risk(case.risk)
    now = timezone.now()
    case.status = CaseStatus.REOPENED
    case.closed_at = None
    case.assessment_due = now + policy.assessment
    case.next_follow_up_due = now + policy.follow_up
    if not case.assignments.exists():
        case.assignment_due = now + policy.assignment
    touch(
        case,
        actor,
        "status",
        "risk",
        "closed_at",
        "assessment_due",
        "next_follow_up_due",
        "assignment_due",
    )
    event(case, actor, EventKind.REOPENED, risk=case.risk)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case=case,
        fields=["status", "reason"],
        request=request,
        detail={"decision": "reopened"},
    )
    return case


@transaction.atomic
def case_transfer(
    *,
    actor: Any,
    case: Case,
    to_organisation: Organisation,
    reason: str,
    expected_version: int,
    consent_override_reason: str = "",
    request: HttpRequest | None = None,
) -> Transfer:
    """Move the case (the one record) to another organisation. Consent-gated like a
    referral; the receiving organisation's supervisor assigns it, which resumes work."""
    case = require_open(actor, case, expected_version)
    require_own_organisation(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is transferred.")})
    if to_organisation.pk == case.organisation_id or not to_organisation.is_active:
        raise ValidationError({"to_organisation": _("Choose another, active organisation.")})
    overridden = consent_gate(
        actor=actor,
        case=case,
        organisation=to_organisation,
        override_reason=consent_override_reason,
    )
    source = case.organisation
    transfer = Transfer.objects.create(
        case=case,
        from_organisation=source,
        to_organisation=to_organisation,
        previous_status=case.status,
        reason=reason.strip(),
        by=actor,
        consent_overridden=overridden,
        override_by=actor if overridden else None,
        override_reason=consent_override_reason.strip() if overridden else "",
    )
    # Audit on the source organisation's trail before ownership moves.
    if overridden:
        event(case, actor, EventKind.CONSENT_OVERRIDE, for_transfer=str(transfer.public_id))
        audit(
            actor=actor,
            action=AuditAction.CONSENT_OVERRIDE,
            target=transfer,
            case=case,
            fields=["override_reason"],
            request=request,
            detail={"to_organisation_kind": to_organisation.kind},
        )
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case=case,
        fields=["organisation", "status"],
        request=request,
        detail={"decision": "transferred", "consent_overridden": overridden},
    )
    # The old organisation's referrals end with its ownership: partners lose access.
    cancelled = case.referrals.filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]
    ).update(status=ReferralStatus.CANCELLED, response_due=None)
    case.assignments.all().delete()
    case.organisation = to_organisation
    case.supervisor = None
    case.status = CaseStatus.TRANSFERRED
    case.assignment_due = timezone.now() + RiskPolicy.for_risk(case.risk).assignment
    touch(case, actor, "organisation", "supervisor", "status", "assignment_due")
    event(
        case,
        actor,
        EventKind.TRANSFERRED,
        from_organisation=source.code,
        to_organisation=to_organisation.code,
        consent_overridden=overridden,
        referrals_cancelled=cancelled,
    )
    return transfer
