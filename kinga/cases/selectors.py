"""Every read of case data that depends on who is asking.

``cases_visible_to`` is the ONE place that decides who sees which case (DESIGN.md
invariant 2). Everything else — ``case_get_for``, ``case_access``, ``case_view_for``,
``tasks_for``, ``duplicates_for`` — starts from it. "Missing", "not yours" and
"malformed id" are the same ``Http404``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jellyfish
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.accounts.roles import Action
from kinga.audit.models import AuditAction, AuditOutcome
from kinga.audit.services import audit_record
from kinga.cases.codes import (
    ACTIVE_STATUSES,
    ALL_GROUPS,
    CATEGORY_LABELS,
    ActionStatus,
    ClosureStatus,
    PlanStatus,
    ReferralStatus,
    ShareGroup,
)
from kinga.cases.models import (
    Assessment,
    Case,
    CaseAssignment,
    CaseEvent,
    CasePlan,
    Child,
    ChildNameToken,
    Closure,
    Consent,
    PlanAction,
    Referral,
    Service,
)
from kinga.vault.blind import coastal_form, name_tokens, phone_index

# -- visibility: the one place ------------------------------------------------------------


def _full_access_q(user: Any) -> Q | None:
    """Cases the user sees in full: own organisation's (by role), or their county's."""
    parts: list[Q] = []
    org = user.organisation_id
    if org and user.can(Action.CASE_VIEW_ORG):
        parts.append(Q(organisation_id=org))
    elif org and user.can(Action.CASE_VIEW_OWN):
        assigned = CaseAssignment.objects.filter(case=OuterRef("pk"), user_id=user.pk)
        parts.append(Q(organisation_id=org) & (Q(registered_by_id=user.pk) | Q(Exists(assigned))))
    if user.can(Action.CASE_VIEW_COUNTY):
        parts.append(Q(child__county_id__in=user.counties.values("pk")))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _referral_access_q(user: Any) -> Q | None:
    """Cases a partner organisation sees through an accepted (active) referral."""
    if not (user.organisation_id and user.can(Action.REFERRAL_RECEIVE)):
        return None
    active = Referral.objects.filter(
        case=OuterRef("pk"), to_organisation_id=user.organisation_id, status=ReferralStatus.ACCEPTED
    )
    return Q(Exists(active))


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """DESIGN.md invariant 2: assigned workers / registrar (own), supervisors (org),
    county officers (county), partners with an accepted referral (share profile only —
    see ``case_view_for``). M&E, researchers and system admins: nothing."""
    cases = Case.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return cases.none()
    parts = [q for q in (_full_access_q(user), _referral_access_q(user)) if q is not None]
    if not parts:
        return cases.none()
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return cases.filter(combined)


def _as_uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


def case_get_for(user: Any, public_id: object) -> Case:
    """The case, annotated with ``full_access``, or 404 (missing, foreign or malformed)."""
    full = _full_access_q(user)
    annotation = (
        ExpressionWrapper(full, output_field=BooleanField())
        if full is not None
        else Value(False, output_field=BooleanField())
    )
    try:
        return (
            cases_visible_to(user)
            .select_related("child", "organisation", "updated_by", "supervisor")
            .annotate(full_access=annotation)
            .get(public_id=_as_uuid(public_id))
        )
    except Case.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class CaseAccess:
    groups: frozenset[str]
    full: bool  # the case's own team or statutory oversight (not a referral partner)
    can_work: bool  # may record case work (assess, plan, services, follow-ups, …)


def case_access(user: Any, case: Case) -> CaseAccess:
    """What ``user`` may see and do on ``case`` (which must come from ``case_get_for``)."""
    full = getattr(case, "full_access", None)
    if full is None:
        full_q = _full_access_q(user)
        full = full_q is not None and Case.objects.filter(full_q, pk=case.pk).exists()
    if full:
        return CaseAccess(ALL_GROUPS, True, user.can(Action.CASE_WORK))
    return CaseAccess(frozenset(share_groups_for(user, case)), False, False)


def share_groups_for(user: Any, case: Case) -> set[str]:
    """The union of the share profiles of the user's organisation's active referrals."""
    if not (user.organisation_id and user.can(Action.REFERRAL_RECEIVE)):
        return set()
    groups: set[str] = set()
    for profile in Referral.objects.filter(
        case=case, to_organisation_id=user.organisation_id, status=ReferralStatus.ACCEPTED
    ).values_list("share_groups", flat=True):
        groups.update(profile)
    return groups & ALL_GROUPS


def case_responsible(case: Case) -> Any:
    """The worker whose record this is (for "activity on my records")."""
    assignment = case.assignments.select_related("user").order_by("assigned_at").first()
    return assignment.user if assignment else case.registered_by


# -- the share-profile view --------------------------------------------------------------


class SectionNotShared(Http404):
    """A read of a field group outside the share profile (audited, then a 404)."""


@dataclass
class CaseView:
    """What one user may see of one case: only the permitted field groups exist."""

    public_id: uuid.UUID
    number: str
    full: bool
    groups: frozenset[str]
    sections: dict[str, dict[str, Any]]
    interview_count: int
    _case: Case = field(repr=False)
    _user: Any = field(repr=False)
    _request: HttpRequest | None = field(default=None, repr=False)

    def section(self, name: str) -> dict[str, Any]:
        """One field group; outside the profile the attempt is audited and 404s."""
        if name in self.sections:
            return self.sections[name]
        audit_record(
            actor=self._user,
            action=AuditAction.ACCESS_DENIED,
            target=self._case,
            fields=[name] if name in ALL_GROUPS else [],
            record_owner=case_responsible(self._case),
            request=self._request,
            outcome=AuditOutcome.DENIED,
            detail={"reason": "outside_share_profile"},
        )
        raise SectionNotShared

    def __contains__(self, name: str) -> bool:
        return name in self.sections


def _latest_assessment(case: Case) -> Assessment | None:
    return case.assessments.order_by(
        "-kind", "-assessed_at"
    ).first()  # comprehensive sorts after initial


def _section(case: Case, name: str, assessment: Assessment | None) -> dict[str, Any]:
    child = case.child
    a = assessment
    if name == ShareGroup.IDENTITY:
        return {
            "given_name": child.given_name,
            "family_name": child.family_name,
            "nickname": child.nickname,
            "sex": child.get_sex_display(),
            "birth_year": child.birth_year,
            "age": child.age_on(timezone.localdate()),
        }
    if name == ShareGroup.CONTACT:
        return {
            "phone": child.phone,
            "location_detail": child.location_detail,
            "county": str(child.county),
            "sub_county": str(child.sub_county or ""),
            "ward": str(child.ward or ""),
        }
    if name == ShareGroup.SUMMARY:
        return {
            "status": case.get_status_display(),
            "risk": case.get_risk_display(),
            "categories": [
                str(CATEGORY_LABELS.get(c.code, c.label)) for c in case.categories.all()
            ],
            "registered_at": case.registered_at,
        }
    if name == ShareGroup.NARRATIVE:
        return {"narrative": child.narrative}
    if name == ShareGroup.HEALTH:
        return {
            "sexual_assault_at": a.sexual_assault_at if a else None,
            "pep_given": a.get_pep_given_display() if a else "",
            "prc_done": a.get_prc_done_display() if a else "",
            "pregnant": a.get_pregnant_display() if a else "",
            "health_needs": a.health_needs if a else None,
        }
    if name == ShareGroup.EDUCATION:
        return {"schooling": a.get_schooling_display() if a else ""}
    if name == ShareGroup.MENTAL_HEALTH:
        return {
            "distress_signs": a.distress_signs if a else None,
            "needs_counselling": a.needs_counselling if a else None,
        }
    if name == ShareGroup.FAMILY:
        return {
            "caregivers": [
                {
                    "name": c.name,
                    "relationship": c.get_relationship_display(),
                    "suspected_exploiter": c.suspected_exploiter,
                    # Never hand a suspected exploiter's number to a partner.
                    "phone": "" if c.suspected_exploiter else c.phone,
                }
                for c in child.caregivers.all()
            ]
        }
    if name == ShareGroup.LEGAL:
        return {
            "reported_to_police": a.get_reported_to_police_display() if a else "",
            "court_case": a.get_court_case_display() if a else "",
        }
    raise ValueError(name)


def case_view_for(user: Any, public_id: object, *, request: HttpRequest | None = None) -> CaseView:
    """The case as ``user`` may see it; writes the VIEW audit event naming the groups."""
    case = case_get_for(user, public_id)
    access = case_access(user, case)
    if not access.groups:
        raise Http404  # an accepted referral that shares nothing identifying
    assessment = _latest_assessment(case)
    sections = {name: _section(case, name, assessment) for name in sorted(access.groups)}
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        target=case,
        fields=sorted(access.groups),
        organisation=user.organisation,
        record_owner=case_responsible(case),
        request=request,
        detail={"via": "team" if access.full else "referral"},
    )
    return CaseView(
        public_id=case.public_id,
        number=case.number,
        full=access.full,
        groups=access.groups,
        sections=sections,
        interview_count=case.interviews.count(),
        _case=case,
        _user=user,
        _request=request,
    )


# -- consent -----------------------------------------------------------------------------


def consent_in_force(case: Case) -> Consent | None:
    return case.consents.filter(withdrawn_at__isnull=True).order_by("-recorded_at", "-pk").first()


def consent_gaps(case: Case, *, organisation_kind: str = "") -> list[str]:
    """What is missing before a referral or transfer may share this case (empty: nothing)."""
    consent = consent_in_force(case)
    if consent is None:
        return [_("No consent has been recorded for this case.")]
    gaps: list[str] = []
    if consent.child_assent == "refused":
        gaps.append(_("The child has not given assent."))
    if not consent.caregiver_consent and not consent.lawful_basis:
        exploiter = case.child.caregivers.filter(suspected_exploiter=True).exists()
        if exploiter:
            gaps.append(
                _(
                    "A caregiver is a suspected exploiter and no lawful basis for sharing "
                    "without caregiver consent is recorded."
                )
            )
        else:
            gaps.append(_("No caregiver consent is recorded."))
    if organisation_kind and organisation_kind not in (consent.scope_sharing or []):
        gaps.append(_("The consent does not cover sharing with this kind of organisation."))
    return gaps


# -- lists -------------------------------------------------------------------------------


def case_list_for(user: Any, *, status: str = "", risk: str = "", q: str = "") -> QuerySet[Case]:
    """The case list: visible cases with what a row needs, in one query."""
    cases = cases_visible_to(user).select_related("child__county", "child__sub_county")
    if status:
        cases = cases.filter(status=status)
    if risk:
        cases = cases.filter(risk=risk)
    if q:
        cases = cases.filter(number__icontains=q.strip())
    return cases.order_by("-registered_at", "-pk")


def timeline_for(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """Referrals sent from or received by the user's organisation (inbox and outbox).

    A partner sees a referral's non-identifying header (case number, service, due) before
    accepting; the case's fields only through ``case_view_for`` once accepted.
    """
    org = user.organisation_id
    if not org:
        return Referral.objects.none()
    parts: list[Q] = []
    if user.can(Action.REFERRAL_RECEIVE):
        parts.append(Q(to_organisation_id=org))
    full = _full_access_q(user)
    if user.can(Action.REFERRAL_SEND) and full is not None:
        parts.append(Q(from_organisation_id=org, case__in=Case.objects.filter(full)))
    if not parts:
        return Referral.objects.none()
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return Referral.objects.filter(combined).select_related(
        "case", "to_organisation", "from_organisation"
    )


def referral_get_for(user: Any, public_id: object) -> Referral:
    try:
        return referrals_visible_to(user).get(public_id=_as_uuid(public_id))
    except Referral.DoesNotExist:
        raise Http404 from None


def plans_for(case: Case) -> QuerySet[CasePlan]:
    return case.plans.prefetch_related("goals__actions")


# -- tasks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    kind: str
    due: datetime
    case_public_id: uuid.UUID
    case_number: str

    @property
    def label(self) -> str:
        return str(TASK_LABELS.get(self.kind, self.kind))


TASK_LABELS = {
    "first_contact": _("First contact"),
    "assessment": _("Comprehensive assessment"),
    "plan": _("Case plan"),
    "follow_up": _("Follow-up"),
    "assignment": _("Assign a worker"),
    "approve_plan": _("Approve or return the case plan"),
    "approve_closure": _("Approve or return the closure"),
    "referral_response": _("Answer the referral"),
    "referral_waiting": _("Referral not yet answered"),
    "plan_action": _("Case plan action"),
    "service": _("Planned service"),
}


@dataclass
class TaskList:
    overdue: list[Task]
    today: list[Task]
    week: list[Task]

    def __len__(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.week)


def _rows(qs: QuerySet, kind: str, due: Any, case_prefix: str = "") -> QuerySet:
    return (
        qs.annotate(
            t_kind=Value(kind, output_field=CharField()),
            t_due=ExpressionWrapper(due, output_field=DateTimeField()),
            t_case=F(f"{case_prefix}public_id"),
            t_number=F(f"{case_prefix}number"),
        )
        .values("t_kind", "t_due", "t_case", "t_number")
        .order_by()
    )


def _task_query(user: Any, horizon: datetime) -> QuerySet | None:
    active = list(ACTIVE_STATUSES)
    parts: list[QuerySet] = []
    if user.can(Action.CASE_WORK):
        mine = Case.objects.filter(
            Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), user_id=user.pk)),
            status__in=active,
        )
        for kind, column in (
            ("first_contact", "first_contact_due"),
            ("assessment", "assessment_due"),
            ("plan", "plan_due"),
            ("follow_up", "next_follow_up_due"),
        ):
            parts.append(_rows(mine.filter(**{f"{column}__lt": horizon}), kind, F(column)))
        actions = PlanAction.objects.filter(
            responsible_id=user.pk,
            status=ActionStatus.OPEN,
            due_on__lt=horizon.date(),
            goal__plan__case__status__in=active,
        )
        parts.append(
            _rows(actions, "plan_action", Cast("due_on", DateTimeField()), "goal__plan__case__")
        )
        services = Service.objects.filter(
            provided_by_id=user.pk,
            delivered_on__isnull=True,
            due_on__lt=horizon.date(),
            case__status__in=active,
        )
        parts.append(_rows(services, "service", Cast("due_on", DateTimeField()), "case__"))
    if user.can(Action.REFERRAL_SEND):
        waiting = Referral.objects.filter(
            sent_by_id=user.pk, status=ReferralStatus.SENT, response_due__lt=horizon
        )
        parts.append(_rows(waiting, "referral_waiting", F("response_due"), "case__"))
    org = user.organisation_id
    if org and user.can(Action.CASE_ASSIGN):
        unassigned = Case.objects.filter(
            organisation_id=org, status__in=active, assignment_due__lt=horizon
        )
        parts.append(_rows(unassigned, "assignment", F("assignment_due"), ""))
    if org and user.can(Action.CASE_APPROVE):
        plans = CasePlan.objects.filter(status=PlanStatus.SUBMITTED, case__organisation_id=org)
        parts.append(
            _rows(plans, "approve_plan", Coalesce("case__plan_due", "submitted_at"), "case__")
        )
        closures = Closure.objects.filter(status=ClosureStatus.PENDING, case__organisation_id=org)
        parts.append(_rows(closures, "approve_closure", F("requested_at"), "case__"))
    if org and user.can(Action.REFERRAL_RECEIVE):
        inbox = Referral.objects.filter(
            to_organisation_id=org, status=ReferralStatus.SENT, response_due__lt=horizon
        )
        parts.append(_rows(inbox, "referral_response", F("response_due"), "case__"))
    if not parts:
        return None
    first, rest = parts[0], parts[1:]
    return first.union(*rest, all=True).order_by("t_due") if rest else first.order_by("t_due")


def tasks_for(user: Any, *, now: datetime | None = None, limit: int = 200) -> TaskList:
    """Overdue / due today / due this week, from ONE query over the due-date columns."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    end_of_today = timezone.make_aware(
        datetime.combine(today + timedelta(days=1), datetime.min.time())
    )
    horizon = end_of_today + timedelta(days=6)
    query = _task_query(user, horizon) if user.is_active else None
    tasks = TaskList([], [], [])
    if query is None:
        return tasks
    for row in query[:limit]:
        due = row["t_due"]
        if isinstance(due, str):  # SQLite returns the CAST of a date as text
            due = datetime.fromisoformat(due)
        if timezone.is_naive(due):
            due = timezone.make_aware(due, timezone.get_current_timezone())
        task = Task(row["t_kind"], due, row["t_case"], row["t_number"])
        if due < now:
            tasks.overdue.append(task)
        elif due < end_of_today:
            tasks.today.append(task)
        else:
            tasks.week.append(task)
    return tasks


def workload_for(user: Any, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per worker in the supervisor's organisation: active cases and overdue ones."""
    if not (user.organisation_id and user.can(Action.CASE_ASSIGN)):
        return []
    now = now or timezone.now()
    overdue = (
        Q(case__first_contact_due__lt=now)
        | Q(case__assessment_due__lt=now)
        | Q(case__plan_due__lt=now)
        | Q(case__next_follow_up_due__lt=now)
    )
    return list(
        CaseAssignment.objects.filter(
            case__organisation_id=user.organisation_id, case__status__in=list(ACTIVE_STATUSES)
        )
        .values("user_id", "user__full_name")
        .annotate(cases=Count("case_id"), overdue=Count("case_id", filter=overdue))
        .order_by("-overdue", "user__full_name")
    )


# -- duplicates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    child_public_id: uuid.UUID
    case_public_id: uuid.UUID | None
    case_number: str
    score: float
    reasons: tuple[str, ...]
    name: str  # decrypted for the person checking: they may see this case


def _compare_names(a: str, b: str) -> float:
    """Order-insensitive Jaro–Winkler on coastal-normalised name parts (0–1)."""
    left = [coastal_form(p) for p in a.split() if len(p) > 1]
    right = [coastal_form(p) for p in b.split() if len(p) > 1]
    if not left or not right:
        return 0.0
    best = [max(jellyfish.jaro_winkler_similarity(x, y) for y in right) for x in left]
    return sum(best) / len(best)


def duplicates_for(
    user: Any,
    *,
    name: str = "",
    nickname: str = "",
    birth_year: int | None = None,
    county_id: int | None = None,
    phone: str = "",
    caregiver_name: str = "",
    exclude_child_id: int | None = None,
    limit: int = 10,
    candidates: int = 50,
) -> list[Duplicate]:
    """Possible earlier registrations of the same child, best first, with the reason.

    SQL narrows by shared phonetic tokens (+ birth year ±1, county) or the phone's
    blind index, among children whose cases the user may see; only those candidates
    are decrypted and scored with Jaro–Winkler.
    """
    tokens = set(name_tokens(name)) | set(name_tokens(nickname)) | set(name_tokens(caregiver_name))
    phone_digest = phone_index(phone) if phone else ""
    if not tokens and not phone_digest:
        return []
    full = _full_access_q(user)
    if full is None:
        return []
    visible_children = cases_visible_to(user).filter(full)
    children = Child.objects.filter(pk__in=visible_children.values("child_id"))
    if exclude_child_id:
        children = children.exclude(pk=exclude_child_id)
    narrowed = children
    if birth_year:
        narrowed = narrowed.filter(
            Q(birth_year__range=(birth_year - 1, birth_year + 1)) | Q(birth_year__isnull=True)
        )
    if county_id:
        narrowed = narrowed.filter(county_id=county_id)
    hits: dict[int, int] = {}
    if tokens:
        for row in (
            ChildNameToken.objects.filter(token__in=tokens, child__in=narrowed)
            .values("child_id")
            .annotate(n=Count("pk"))
            .order_by("-n")[:candidates]
        ):
            hits[row["child_id"]] = row["n"]
    phone_ids: set[int] = set()
    if phone_digest:
        phone_ids = set(children.filter(phone_index=phone_digest).values_list("pk", flat=True)[:10])
    ids = set(hits) | phone_ids
    if not ids:
        return []
    found: list[Duplicate] = []
    rows = Child.objects.filter(pk__in=ids).prefetch_related("caregivers")
    latest_case = {
        c.child_id: c for c in visible_children.filter(child_id__in=ids).order_by("registered_at")
    }
    for child in rows:
        reasons: list[str] = []
        score = 0.0
        if name:
            similarity = max(
                _compare_names(name, child.full_name),
                _compare_names(name, child.nickname) if child.nickname else 0.0,
            )
            score = similarity
            if similarity >= 0.8:
                reasons.append(_("name sounds alike (%(s)d%%)") % {"s": round(similarity * 100)})
        if nickname and child.nickname:
            nick = _compare_names(nickname, child.nickname)
            if nick >= 0.85:
                score += 0.1
                reasons.append(_("same nickname"))
        if caregiver_name:
            carer = max(
                (_compare_names(caregiver_name, c.name) for c in child.caregivers.all()),
                default=0.0,
            )
            if carer >= 0.85:
                score += 0.1
                reasons.append(_("caregiver's name sounds alike"))
        if birth_year and child.birth_year:
            if child.birth_year == birth_year:
                score += 0.1
                reasons.append(_("same year of birth"))
            else:
                score += 0.05
                reasons.append(_("year of birth within one year"))
        if county_id and child.county_id == county_id:
            score += 0.05
            reasons.append(_("same county"))
        if child.pk in phone_ids:
            score += 0.5
            reasons.append(_("same phone number"))
        case = latest_case.get(child.pk)
        found.append(
            Duplicate(
                child_public_id=child.public_id,
                case_public_id=case.public_id if case else None,
                case_number=case.number if case else "",
                score=round(score, 4),
                reasons=tuple(reasons),
                name=child.full_name,
            )
        )
    found.sort(key=lambda d: (-d.score, d.case_number))
    return found[:limit]
