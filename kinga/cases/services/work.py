"""Assessment, case planning and approval, services, follow-ups, interviews and
case conferences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.accounts.roles import Action
from kinga.audit.models import AuditAction
from kinga.cases import selectors
from kinga.cases.codes import (
    OPEN_STATUSES,
    Answer,
    AssessmentKind,
    CaseStatus,
    Domain,
    EventKind,
    FollowUpKind,
    IncomeBand,
    InterviewPurpose,
    PlanStatus,
    ReferralStatus,
    Risk,
    Schooling,
    ServiceType,
    subtype_choices,
)
from kinga.cases.models import (
    Assessment,
    Case,
    CaseConference,
    CasePlan,
    FollowUp,
    Goal,
    Interview,
    PlanAction,
    RiskPolicy,
    Service,
)
from kinga.cases.services._common import (
    apply_risk_deadlines,
    audit,
    birth_floor,
    check_past,
    event,
    idempotent,
    lock_case,
    registration_day,
    require,
    require_open,
    touch,
)
from kinga.core.errors import DomainError

ASSESSMENT_CHOICES = {
    "safe_where_living": Answer,
    "still_exploited": Answer,
    "pep_given": Answer,
    "prc_done": Answer,
    "pregnant": Answer,
    "schooling": Schooling,
    "caregiver_protective": Answer,
    "income_band": IncomeBand,
    "reported_to_police": Answer,
    "court_case": Answer,
}
ASSESSMENT_FLAGS = ("needs_shelter", "health_needs", "distress_signs", "needs_counselling")


def _check_choice(value: str, choices: Any, field: str) -> None:
    if value and value not in choices.values:
        raise ValidationError({field: _("Choose one of the listed options.")})


@idempotent
@transaction.atomic
def case_assess(
    *,
    actor: Any,
    case: Case,
    kind: str,
    risk: str,
    expected_version: int,
    assessed_at: datetime | None = None,
    sexual_assault_at: datetime | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
    **answers: Any,
) -> Assessment:
    """Record an initial or comprehensive assessment; it re-sets the risk level.

    The initial assessment counts as first contact. The comprehensive one moves a
    registered (or reopened) case to *assessed* and meets the assessment deadline.
    """
    case = require_open(actor, case, expected_version)
    _check_choice(kind, AssessmentKind, "kind")
    if not kind:
        raise ValidationError({"kind": _("Choose the kind of assessment.")})
    _check_choice(risk, Risk, "risk")
    if not risk:
        raise ValidationError({"risk": _("Choose a risk level.")})
    unknown = set(answers) - set(ASSESSMENT_CHOICES) - set(ASSESSMENT_FLAGS)
    if unknown:
        raise TypeError(f"unknown assessment fields: {sorted(unknown)}")
    for name, choices in ASSESSMENT_CHOICES.items():
        _check_choice(answers.get(name, ""), choices, name)
    assessed_at = assessed_at or timezone.now()
    check_past(assessed_at, "assessed_at", not_before=birth_floor(case))
    check_past(sexual_assault_at, "sexual_assault_at", not_before=birth_floor(case))
    assessment = Assessment.objects.create(
        case=case,
        kind=kind,
        risk=risk,
        assessed_by=actor,
        assessed_at=assessed_at,
        sexual_assault_at=sexual_assault_at,
        notes=notes.strip(),
        **answers,
    )
    before_status, before_risk = case.status, case.risk
    changed = ["risk", "first_contact_at", "first_contact_due"]
    case.risk = risk
    if case.first_contact_at is None:
        case.first_contact_at = assessed_at
    case.first_contact_due = None
    if kind == AssessmentKind.COMPREHENSIVE:
        case.assessment_due = None
        changed.append("assessment_due")
        if case.status in (CaseStatus.REGISTERED, CaseStatus.REOPENED):
            case.status = CaseStatus.ASSESSED
            changed.append("status")
    changed += apply_risk_deadlines(case)
    touch(case, actor, *dict.fromkeys(changed))
    event(
        case,
        actor,
        EventKind.ASSESSED,
        kind=kind,
        risk_before=before_risk,
        risk_after=risk,
        status_before=before_status,
        status_after=case.status,
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=assessment,
        case=case,
        fields=sorted({"kind", "risk", *answers, *(["notes"] if notes else [])}),
        request=request,
        detail={"kind": kind, "risk": risk},
    )
    return assessment


PLAN_READY = (
    CaseStatus.ASSESSED,
    CaseStatus.CASE_PLAN,
    CaseStatus.IN_PROGRESS,
    CaseStatus.REOPENED,
)


@idempotent
@transaction.atomic
def case_plan_submit(
    *,
    actor: Any,
    case: Case,
    goals: Iterable[Mapping[str, Any]],
    expected_version: int,
    request: HttpRequest | None = None,
) -> CasePlan:
    """Write a case plan — goals, each with actions (who, by when) — and send it for
    approval. Needs the comprehensive assessment first.

    ``goals``: ``[{"domain": "education", "description": "…", "actions": [{"description":
    "…", "responsible": <User> or None, "responsible_label": "…", "due_on": date}]}]``.
    """
    case = require_open(actor, case, expected_version)
    if (
        case.status not in PLAN_READY
        or not case.assessments.filter(kind=AssessmentKind.COMPREHENSIVE).exists()
    ):
        raise DomainError(
            _("Do the comprehensive assessment before writing the case plan."),
            code="assessment_missing",
        )
    if case.plans.filter(status=PlanStatus.SUBMITTED).exists():
        raise DomainError(
            _("A case plan is already waiting for the supervisor's decision."),
            code="plan_pending",
        )
    goals = list(goals)
    if not goals:
        raise ValidationError({"goals": _("A case plan needs at least one goal.")})
    today = timezone.localdate()
    for goal in goals:
        _check_choice(goal.get("domain", ""), Domain, "domain")
        if not goal.get("domain") or not str(goal.get("description", "")).strip():
            raise ValidationError({"goals": _("Each goal needs an area and a description.")})
        if not goal.get("actions"):
            raise ValidationError({"goals": _("Each goal needs at least one action.")})
        for action in goal["actions"]:
            due = action.get("due_on")
            if not isinstance(due, date) or not str(action.get("description", "")).strip():
                raise ValidationError({"actions": _("Each action needs a description and a date.")})
            if due < today:
                raise ValidationError({"actions": _("An action's date cannot be in the past.")})
            who = action.get("responsible")
            if who is None and not str(action.get("responsible_label", "")).strip():
                raise ValidationError({"actions": _("Say who is responsible for each action.")})
            if who is not None and (
                who.organisation_id != case.organisation_id or not who.is_active
            ):
                raise ValidationError(
                    {"actions": _("The person responsible must be in the case's organisation.")}
                )
    plan = CasePlan.objects.create(
        case=case, status=PlanStatus.SUBMITTED, created_by=actor, submitted_at=timezone.now()
    )
    for position, goal in enumerate(goals):
        row = Goal.objects.create(
            plan=plan,
            domain=goal["domain"],
            description=str(goal["description"]).strip(),
            position=position,
        )
        PlanAction.objects.bulk_create(
            [
                PlanAction(
                    goal=row,
                    description=str(action["description"]).strip(),
                    responsible=action.get("responsible"),
                    responsible_label=str(action.get("responsible_label", "")).strip()[:80],
                    due_on=action["due_on"],
                )
                for action in goal["actions"]
            ]
        )
    changed = []
    if case.status == CaseStatus.ASSESSED:
        case.status = CaseStatus.CASE_PLAN
        changed.append("status")
    touch(case, actor, *changed)
    event(case, actor, EventKind.PLAN_SUBMITTED, goals=len(goals))
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=plan,
        case=case,
        fields=["goals", "actions"],
        request=request,
    )
    return plan


def _lock_plan_for_decision(
    actor: Any, plan: CasePlan, expected_version: int
) -> tuple[Case, CasePlan]:
    require(actor, Action.CASE_APPROVE)
    case = lock_case(
        actor, plan.case, expected_version=expected_version, work=False, statuses=OPEN_STATUSES
    )
    if case.organisation_id != actor.organisation_id:
        raise PermissionDenied
    plan = CasePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.SUBMITTED:
        raise DomainError(
            _("This case plan is not waiting for approval (it is “%(status)s”).")
            % {"status": plan.get_status_display()},
            code="wrong_status",
        )
    return case, plan


@transaction.atomic
def case_plan_approve(
    *,
    actor: Any,
    plan: CasePlan,
    expected_version: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> CasePlan:
    """Approve a submitted plan: the case moves to *in progress* and follow-ups start."""
    case, plan = _lock_plan_for_decision(actor, plan, expected_version)
    plan.status = PlanStatus.APPROVED
    plan.decided_by, plan.decided_at = actor, timezone.now()
    plan.decision_comment = comment.strip()
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    changed = ["plan_due"]
    case.plan_due = None
    if case.status in (CaseStatus.CASE_PLAN, CaseStatus.ASSESSED, CaseStatus.REOPENED):
        case.status = CaseStatus.IN_PROGRESS
        changed.append("status")
    if case.next_follow_up_due is None:
        case.next_follow_up_due = timezone.now() + RiskPolicy.for_risk(case.risk).follow_up
        changed.append("next_follow_up_due")
    touch(case, actor, *changed)
    event(case, actor, EventKind.PLAN_APPROVED, commented=bool(comment.strip()))
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=plan,
        case=case,
        fields=["status", *(["decision_comment"] if comment.strip() else [])],
        request=request,
        detail={"decision": "approved"},
    )
    return plan


@transaction.atomic
def case_plan_return(
    *,
    actor: Any,
    plan: CasePlan,
    expected_version: int,
    comment: str,
    request: HttpRequest | None = None,
) -> CasePlan:
    """Return a plan to the worker with a comment saying what to change."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs to change.")})
    case, plan = _lock_plan_for_decision(actor, plan, expected_version)
    plan.status = PlanStatus.RETURNED
    plan.decided_by, plan.decided_at = actor, timezone.now()
    plan.decision_comment = comment.strip()
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    touch(case, actor)
    event(case, actor, EventKind.PLAN_RETURNED)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=plan,
        case=case,
        fields=["status", "decision_comment"],
        request=request,
        detail={"decision": "returned"},
    )
    return plan


def _validate_service(
    service_type: str, sub_type: str, delivered_on: date | None, due_on: date | None, case: Case
) -> None:
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("Choose one of the listed services.")})
    allowed = {code for code, _label in subtype_choices(service_type)}
    if sub_type and sub_type not in allowed:
        raise ValidationError({"sub_type": _("This kind does not belong to the service chosen.")})
    if delivered_on is None and due_on is None:
        raise ValidationError({"delivered_on": _("Give the date it was given, or when it is due.")})
    check_past(delivered_on, "delivered_on", not_before=birth_floor(case))


@idempotent
@transaction.atomic
def service_record(
    *,
    actor: Any,
    case: Case,
    service_type: str,
    sub_type: str = "",
    delivered_on: date | None = None,
    due_on: date | None = None,
    amount_kes: int | None = None,
    notes: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Service:
    """Record a service given (``delivered_on``) or planned (``due_on``, a task)."""
    case = require_open(actor, case, expected_version)
    _validate_service(service_type, sub_type, delivered_on, due_on, case)
    service = Service.objects.create(
        case=case,
        service_type=service_type,
        sub_type=sub_type,
        organisation_id=case.organisation_id,
        provided_by=actor,
        delivered_on=delivered_on,
        due_on=None if delivered_on else due_on,
        amount_kes=amount_kes,
        notes=notes.strip(),
    )
    touch(case, actor)
    event(
        case,
        actor,
        EventKind.SERVICE,
        service_type=service_type,
        sub_type=sub_type,
        delivered=delivered_on is not None,
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=service,
        case=case,
        fields=["service_type", "sub_type", "delivered_on", *(["notes"] if notes else [])],
        request=request,
    )
    return service


@idempotent
@transaction.atomic
def follow_up_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    happened_at: datetime,
    risk_after: str,
    expected_version: int,
    child_seen: bool = True,
    notes: str = "",
    request: HttpRequest | None = None,
) -> FollowUp:
    """A home/school visit or call that re-assesses risk and moves the next follow-up
    by the cadence of the (new) risk level."""
    case = require_open(actor, case, expected_version)
    _check_choice(kind, FollowUpKind, "kind")
    _check_choice(risk_after, Risk, "risk_after")
    if not kind or not risk_after:
        raise ValidationError({"kind": _("Choose the kind of follow-up and the risk now.")})
    check_past(happened_at, "happened_at", not_before=birth_floor(case))
    if happened_at < case.registered_at - timezone.timedelta(days=1):
        raise ValidationError({"happened_at": _("This is before the case was registered.")})
    follow_up = FollowUp.objects.create(
        case=case,
        kind=kind,
        happened_at=happened_at,
        by=actor,
        child_seen=child_seen,
        risk_before=case.risk,
        risk_after=risk_after,
        notes=notes.strip(),
    )
    before = case.risk
    case.risk = risk_after
    changed = ["risk", "next_follow_up_due"]
    if case.first_contact_at is None and child_seen:
        case.first_contact_at, case.first_contact_due = happened_at, None
        changed += ["first_contact_at", "first_contact_due"]
    case.next_follow_up_due = None
    changed += apply_risk_deadlines(case)
    case.next_follow_up_due = happened_at + RiskPolicy.for_risk(risk_after).follow_up
    touch(case, actor, *dict.fromkeys(changed))
    event(case, actor, EventKind.FOLLOW_UP, kind=kind, risk_before=before, risk_after=risk_after)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=follow_up,
        case=case,
        fields=["kind", "happened_at", "risk_after", *(["notes"] if notes else [])],
        request=request,
    )
    return follow_up


@idempotent
@transaction.atomic
def interview_log(
    *,
    actor: Any,
    case: Case,
    happened_at: datetime,
    purpose: str,
    interviewer: Any = None,
    interviewer_label: str = "",
    justification: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Interview:
    """Log an interview of the child about the exploitation (tell it once).

    The case team and a partner with an accepted referral may log one; when the child
    has been interviewed before, a justification is required.
    """
    visible = selectors.case_get_for(actor, case.public_id)
    access = selectors.case_access(actor, visible)
    case = lock_case(
        actor,
        visible,
        expected_version=expected_version,
        work=access.can_work,
        statuses=OPEN_STATUSES,
    )
    if not access.can_work and not access.groups:
        raise PermissionDenied
    _check_choice(purpose, InterviewPurpose, "purpose")
    if not purpose:
        raise ValidationError({"purpose": _("Choose the purpose of the interview.")})
    check_past(happened_at, "happened_at", not_before=birth_floor(case))
    earlier = case.interviews.count()
    if earlier and not justification.strip():
        raise DomainError(
            _(
                "The child has already been interviewed %(n)d time(s). Say why a further "
                "interview is needed."
            )
            % {"n": earlier},
            code="justification_needed",
        )
    interview = Interview.objects.create(
        case=case,
        happened_at=happened_at,
        interviewer=interviewer or (actor if not interviewer_label else None),
        interviewer_label=interviewer_label.strip()[:80],
        organisation=actor.organisation,
        purpose=purpose,
        justification=justification.strip(),
        recorded_by=actor,
    )
    touch(case, actor)
    event(case, actor, EventKind.INTERVIEW, purpose=purpose, number=earlier + 1)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=interview,
        case=case,
        fields=["purpose", "happened_at", *(["justification"] if justification else [])],
        request=request,
    )
    return interview


@idempotent
@transaction.atomic
def case_conference_record(
    *,
    actor: Any,
    case: Case,
    held_at: datetime,
    decisions: str,
    participants: Iterable[Any] = (),
    other_participants: str = "",
    actions: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> CaseConference:
    case = require_open(actor, case, expected_version)
    if not decisions.strip():
        raise ValidationError({"decisions": _("Record the decisions taken.")})
    check_past(held_at, "held_at", not_before=birth_floor(case) or registration_day(case))
    conference = CaseConference.objects.create(
        case=case,
        held_at=held_at,
        other_participants=other_participants.strip(),
        decisions=decisions.strip(),
        actions=actions.strip(),
        recorded_by=actor,
    )
    people = list(participants)
    conference.participants.set(people)
    touch(case, actor)
    event(case, actor, EventKind.CONFERENCE, participants=len(people))
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=conference,
        case=case,
        fields=["held_at", "participants", "decisions", *(["actions"] if actions else [])],
        request=request,
    )
    return conference


def open_referral_count(case: Case) -> int:
    return case.referrals.filter(status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]).count()
