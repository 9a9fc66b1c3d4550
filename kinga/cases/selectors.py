"""Every read of case data that depends on who is asking.

``cases_visible_to`` is the ONE place that decides who sees which case (DESIGN.md
invariant 2). Everything else — ``case_get_for``, ``case_access``, ``case_view_for``,
``tasks_for``, ``duplicates_for`` — starts from it. "Missing", "not yours" and
"malformed id" are the same ``Http404``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from django.db.models.functions import Cast, Coalesce, Least
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.accounts.roles import Action, Role
from kinga.audit.models import AuditAction, AuditOutcome
from kinga.audit.services import audit_record
from kinga.cases.codes import (
    ACTIVE_STATUSES,
    ALL_GROUPS,
    CATEGORY_LABELS,
    SHARE_PRESETS,
    ActionStatus,
    CaseStatus,
    ClosureStatus,
    PlanStatus,
    ReferralStatus,
    Risk,
    ServiceType,
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
from kinga.vault.fields import SealedTextField

# -- visibility: the one place ------------------------------------------------------------

#: What a counsellor sees of a case referred (assigned) to them inside their organisation:
#: DOMAIN.md gives counsellors "cases referred to them, mental-health fields". This is the
#: same profile a counselling partner gets (``SHARE_PRESETS[psychosocial]``): who the child
#: is, the case summary, the child's account (so the child tells it once) and the
#: mental-health findings — never contact details, health, family, education or legal.
COUNSELLOR_GROUPS: frozenset[str] = frozenset(SHARE_PRESETS[ServiceType.PSYCHOSOCIAL])


def _is_counsellor(user: Any) -> bool:
    return user.role == Role.COUNSELLOR


def _assigned_case_ids(user: Any) -> QuerySet:
    return CaseAssignment.objects.filter(user_id=user.pk).values("case_id")


def _registered_case_ids(user: Any) -> QuerySet:
    """Cases the user registered and still sees for that alone: a CHV's (they stay the
    child's contact in the community), anyone else's only while nobody is assigned — a
    case worker reassigned away from a case loses it."""
    registered = Case.objects.filter(registered_by_id=user.pk)
    if user.role != Role.CHV:
        registered = registered.filter(
            ~Exists(CaseAssignment.objects.filter(case_id=OuterRef("pk")))
        )
    return registered.values("pk")


def _full_access_q(user: Any) -> Q | None:
    """Cases the user sees in full: own organisation's (by role), or their county's.

    "Own" cases (assigned, or registered by the user) are selected as ``id IN (assigned
    UNION registered)``: an ``OR EXISTS(…)`` over the organisation's cases cannot use the
    assignment index and makes PostgreSQL misjudge the row count (DESIGN.md budgets;
    bench/bench_cases.py). Counsellors never see a case in full (``_counsellor_q``).
    """
    parts: list[Q] = []
    org = user.organisation_id
    if org and user.can(Action.CASE_VIEW_ORG):
        parts.append(Q(organisation_id=org))
    elif org and user.can(Action.CASE_VIEW_OWN) and not _is_counsellor(user):
        own = _assigned_case_ids(user).union(_registered_case_ids(user), all=True)
        parts.append(Q(organisation_id=org, pk__in=own))
    if user.can(Action.CASE_VIEW_COUNTY):
        parts.append(Q(child__county_id__in=user.counties.values("pk")))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _counsellor_q(user: Any) -> Q | None:
    """Cases referred (assigned) to a counsellor in their organisation: limited view."""
    if not (_is_counsellor(user) and user.organisation_id and user.can(Action.CASE_VIEW_OWN)):
        return None
    return Q(organisation_id=user.organisation_id, pk__in=_assigned_case_ids(user))


def _referral_access_q(user: Any) -> Q | None:
    """Cases a partner organisation sees through an accepted (active) referral."""
    if not (user.organisation_id and user.can(Action.REFERRAL_RECEIVE)):
        return None
    active = Referral.objects.filter(
        case=OuterRef("pk"), to_organisation_id=user.organisation_id, status=ReferralStatus.ACCEPTED
    )
    return Q(Exists(active))


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """DESIGN.md invariant 2: assigned workers and the registrar (own: a CHV always,
    anyone else while nobody is assigned), supervisors (org), county officers (county),
    counsellors (cases assigned to them, ``COUNSELLOR_GROUPS``
    only), partners with an accepted referral (share profile only — see
    ``case_view_for``). M&E, researchers and system admins: nothing."""
    cases = Case.objects.all()
    if not _signed_in(user):
        return cases.none()
    parts = [
        q
        for q in (_full_access_q(user), _counsellor_q(user), _referral_access_q(user))
        if q is not None
    ]
    if not parts:
        return cases.none()
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return cases.filter(combined)


def cases_in_full_for(user: Any) -> QuerySet[Case]:
    """The visible cases the user sees in full (their team's or county's, no referrals)."""
    full = _full_access_q(user) if _signed_in(user) else None
    return Case.objects.filter(full) if full is not None else Case.objects.none()


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
        full = cases_in_full_for(user).filter(pk=case.pk).exists()
    if full:
        return CaseAccess(ALL_GROUPS, True, user.can(Action.CASE_WORK))
    groups = share_groups_for(user, case)
    counsellor = _counsellor_q(user)
    if counsellor is not None and Case.objects.filter(counsellor, pk=case.pk).exists():
        # Counselling is recorded in the wellbeing sessions, not as case work here: a
        # counsellor cannot plan, refer (and so share fields they cannot see) or close.
        groups |= COUNSELLOR_GROUPS
    return CaseAccess(frozenset(groups), False, False)


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


def _via(user: Any) -> str:
    return "counsellor" if _is_counsellor(user) else "referral"


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
        detail={"via": "team" if access.full else _via(user)},
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


def _consent_withdrawn_since_latest(case: Case) -> tuple[Consent | None, bool]:
    latest = case.consents.order_by("-recorded_at", "-pk").first()
    if latest is None:
        return None, False
    withdrawn = latest.withdrawn_at is not None or (
        case.consents.filter(withdrawn_at__gte=latest.recorded_at).exists()
    )
    return latest, withdrawn


def consent_in_force(case: Case) -> Consent | None:
    """The latest consent, unless it or any consent was withdrawn after it was recorded.

    A withdrawal ends every consent on the case: an older, never-withdrawn consent does
    not come back into force when a newer one is withdrawn.
    """
    latest, withdrawn = _consent_withdrawn_since_latest(case)
    return None if withdrawn else latest


def consent_gaps(case: Case, *, organisation_kind: str = "") -> list[str]:
    """What is missing before a referral or transfer may share this case (empty: nothing)."""
    latest, withdrawn = _consent_withdrawn_since_latest(case)
    if latest is None:
        return [_("No consent has been recorded for this case.")]
    if withdrawn:
        return [_("Consent was withdrawn; record new consent before sharing this case.")]
    consent = latest
    gaps: list[str] = []
    if consent.child_assent == "refused":
        gaps.append(_("The child has not given assent."))
    if not consent.lawful_basis:
        # A suspected exploiter's consent never counts (DESIGN.md invariant 5): when any
        # caregiver of the child is one, only a recorded lawful basis will do.
        exploiter = case.child.caregivers.filter(suspected_exploiter=True).exists()
        if exploiter:
            gaps.append(
                _(
                    "A caregiver is a suspected exploiter, so caregiver consent does not "
                    "count: record a lawful basis for sharing without it."
                )
            )
        elif not consent.caregiver_consent:
            gaps.append(_("No caregiver consent is recorded."))
    if organisation_kind and organisation_kind not in (consent.scope_sharing or []):
        gaps.append(_("The consent does not cover sharing with this kind of organisation."))
    return gaps


CHILD_SEALED_FIELDS = tuple(
    f.name for f in Child._meta.concrete_fields if isinstance(f, SealedTextField)
)

# -- lists -------------------------------------------------------------------------------


def case_list_for(user: Any, *, status: str = "", risk: str = "", q: str = "") -> QuerySet[Case]:
    """The case list: visible cases with what a row needs, in one query.

    A row carries no identity, so the child's sealed fields are neither read nor opened.
    """
    full = _full_access_q(user) if _signed_in(user) else None
    if full is None:
        full_access = Value(False, output_field=BooleanField())
    elif _referral_access_q(user) is None and _counsellor_q(user) is None:
        # Everything this user can list is seen in full: skip re-evaluating the
        # visibility condition for every row (it doubles the list's cost at scale).
        full_access = Value(True, output_field=BooleanField())
    else:
        full_access = ExpressionWrapper(full, output_field=BooleanField())
    cases = (
        cases_visible_to(user)
        .select_related("child__county", "child__sub_county")
        .defer(*(f"child__{name}" for name in CHILD_SEALED_FIELDS))
        .annotate(full_access=full_access)
    )
    if status:  # an unknown value matches nothing (and never reaches SQL as-is)
        cases = cases.filter(status=status) if status in CaseStatus.values else cases.none()
    if risk:
        cases = cases.filter(risk=risk) if risk in Risk.values else cases.none()
    if q:
        cases = cases.filter(number__icontains=q.replace("\x00", "").strip())
    return cases.order_by("-registered_at", "-pk")


#: What a list row shows besides the case number: the case summary (DESIGN.md
#: invariant 2 — a partner sees these only if ``summary`` is in its share profile).
ROW_SUMMARY_FIELDS = (
    "organisation",
    "status",
    "risk",
    "version",
    "registered_at",
    "first_contact_due",
    "assessment_due",
    "plan_due",
    "next_follow_up_due",
)


def list_rows_for(user: Any, cases: Any) -> list[Case]:
    """The page's rows, each marked ``row_summary`` (may the user see the summary fields?)
    and ``row_referral`` (the partner's referral status label, or "").

    The case's own team and county officers see every row in full; a counsellor's
    profile includes the summary; a partner sees the case number and its referral's
    status, and the summary only when a referral's share profile includes it. One query,
    for the rows that are not in full.
    """
    rows = list(cases)
    partial = [c.pk for c in rows if not getattr(c, "full_access", False)]
    profiles: dict[int, tuple[set[str], str]] = {}
    if partial and user.organisation_id and user.can(Action.REFERRAL_RECEIVE):
        for referral in Referral.objects.filter(
            case_id__in=partial,
            to_organisation_id=user.organisation_id,
            status=ReferralStatus.ACCEPTED,
        ).only("case_id", "share_groups", "status"):
            groups, _label = profiles.get(referral.case_id, (set(), ""))
            groups.update(referral.share_groups or [])
            profiles[referral.case_id] = (groups, str(referral.get_status_display()))
    counsellor = _is_counsellor(user) and ShareGroup.SUMMARY in COUNSELLOR_GROUPS
    for case in rows:
        groups, label = profiles.get(case.pk, (set(), ""))
        case.row_referral = label
        case.row_summary = bool(
            getattr(case, "full_access", False)
            or ShareGroup.SUMMARY in groups
            or (counsellor and not label)
        )
    return rows


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
    if user.can(Action.REFERRAL_SEND):
        parts.append(Q(from_organisation_id=org, case__in=cases_in_full_for(user)))
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


#: A case's own deadlines: (task kind, due-date column on Case).
CASE_DEADLINES = (
    ("first_contact", "first_contact_due"),
    ("assessment", "assessment_due"),
    ("plan", "plan_due"),
    ("follow_up", "next_follow_up_due"),
)
_CASE_ROW = "case"  # one row per case in the union, spread into its deadlines by tasks_for
_NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def _rows(
    qs: QuerySet, kind: str, due: Any, case_prefix: str = "", *, deadlines: bool = False
) -> QuerySet:
    return (
        qs.annotate(
            t_kind=Value(kind, output_field=CharField()),
            t_due=ExpressionWrapper(due, output_field=DateTimeField()),
            t_case=F(f"{case_prefix}public_id"),
            t_number=F(f"{case_prefix}number"),
            **{
                f"t_{name}": F(column) if deadlines else Value(None, output_field=DateTimeField())
                for name, column in CASE_DEADLINES
            },
        )
        .values("t_kind", "t_due", "t_case", "t_number", *(f"t_{n}" for n, _c in CASE_DEADLINES))
        .order_by()
    )


def _task_query(user: Any, horizon: datetime) -> QuerySet | None:
    active = list(ACTIVE_STATUSES)
    parts: list[QuerySet] = []
    if user.can(Action.CASE_WORK):
        # One row per active assigned case with any deadline before the horizon (spread
        # into one task per deadline by ``tasks_for``). One branch per deadline made
        # PostgreSQL scan each due-date index across every organisation's cases and
        # hash-join the assignments: ~80 ms at 100 000 cases (bench/bench_cases.py);
        # this shape walks the user's few hundred assignments by primary key.
        due_soon = Q()
        for _kind, column in CASE_DEADLINES:
            due_soon |= Q(**{f"{column}__lt": horizon})
        mine = Case.objects.filter(due_soon, pk__in=_assigned_case_ids(user), status__in=active)
        earliest = Least(*(Coalesce(column, Value(_NEVER)) for _kind, column in CASE_DEADLINES))
        parts.append(_rows(mine, _CASE_ROW, earliest, deadlines=True))
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
    tasks = TaskList([], [], [])
    query = _task_query(user, horizon) if user.is_active else None
    if query is None:
        return tasks
    rows: list[dict[str, Any]] = []
    for row in query[:limit]:
        if row["t_kind"] != _CASE_ROW:
            rows.append({**row, "t_due": _aware(row["t_due"])})
            continue
        for kind, _column in CASE_DEADLINES:  # the case's deadlines before the horizon
            due = _aware(row[f"t_{kind}"])
            if due is not None and due < horizon:
                rows.append({**row, "t_kind": kind, "t_due": due})
    rows.sort(key=lambda row: row["t_due"])
    for row in rows[:limit]:
        due = row["t_due"]
        task = Task(row["t_kind"], due, row["t_case"], row["t_number"])
        if due < now:
            tasks.overdue.append(task)
        elif due < end_of_today:
            tasks.today.append(task)
        else:
            tasks.week.append(task)
    return tasks


def _aware(due: Any) -> datetime | None:
    if due is None:
        return None
    if isinstance(due, str):  # SQLite returns the CAST of a date as text
        due = datetime.fromisoformat(due)
    if timezone.is_naive(due):
        due = timezone.make_aware(due, timezone.get_current_timezone())
    return due


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


def _phone_digest(phone: str) -> str:
    """The phone's blind index; a search text with no digits matches no phone."""
    try:
        return phone_index(phone) if phone.strip() else ""
    except ValueError:
        return ""


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
    phone_digest = _phone_digest(phone)
    if not tokens and not phone_digest:
        return []
    visible_children = cases_in_full_for(user)
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


def duplicate_check(
    user: Any, *, request: HttpRequest | None = None, **query: Any
) -> list[Duplicate]:
    """``duplicates_for`` for a person who will be shown the result: each candidate shown
    (a child's name) is a VIEW of that case's identity, audited like any other."""
    found = duplicates_for(user, **query)
    if not found:
        return found
    cases = {
        c.public_id: c
        for c in Case.objects.filter(public_id__in=[d.case_public_id for d in found])
        .select_related("registered_by")
        .prefetch_related("assignments__user")
    }
    for duplicate in found:
        case = cases.get(duplicate.case_public_id)
        if case is None:
            continue
        assignments = sorted(case.assignments.all(), key=lambda a: a.assigned_at)
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            target=case,
            fields=[ShareGroup.IDENTITY],
            organisation=user.organisation,
            record_owner=assignments[0].user if assignments else case.registered_by,
            request=request,
            detail={"via": "duplicate_check"},
        )
    return found
