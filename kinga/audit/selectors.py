"""Reading the audit log: the one place that decides who sees which events.

* ``events_visible_to(user)`` — the audit trail. System admins (``AUDIT_VIEW_ALL``) see
  every event; organisation admins and supervisors (``AUDIT_VIEW_ORG``) see their own
  organisation's; everyone else sees nothing (an empty queryset — the page answers 404,
  see :func:`can_view_audit_trail`).
* ``events_about_my_records(user)`` — "activity on my records", for every signed-in
  user: events on records they are responsible for, events on their own account, and
  their own sign-ins.

Both take an optional :class:`AuditFilter` and return newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from kinga.accounts.roles import Action
from kinga.audit.models import SIGN_IN_ACTIONS, AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    """What the reader narrowed the list to. Empty values mean "any"."""

    actor_id: int | None = None
    action: str = ""
    outcome: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None  # inclusive, in the site's time zone
    date_to: date | None = None  # inclusive, in the site's time zone

    def used(self) -> list[str]:
        """The names (never the values) of the filters in use — for the audit of reads."""
        return sorted(name for name, value in vars(self).items() if value not in (None, ""))


NO_FILTER = AuditFilter()


def can_view_audit_trail(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (user.can(Action.AUDIT_VIEW_ALL) or user.can(Action.AUDIT_VIEW_ORG))
    )


def audit_scope_is_all(user: Any) -> bool:
    return bool(user.is_authenticated and user.can(Action.AUDIT_VIEW_ALL))


def events_visible_to(user: Any, filters: AuditFilter = NO_FILTER) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("organisation")
    if not user.is_authenticated:
        return events.none()
    if user.can(Action.AUDIT_VIEW_ALL):
        scoped = events
    elif user.can(Action.AUDIT_VIEW_ORG) and user.organisation_id is not None:
        scoped = events.filter(organisation_id=user.organisation_id)
    else:
        return events.none()
    return apply_filter(scoped, filters)


def events_about_my_records(user: Any, filters: AuditFilter = NO_FILTER) -> QuerySet[AuditEvent]:
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    mine = (
        Q(record_owner_id=user.pk)
        | Q(target_type=user._meta.label_lower, target_id=str(user.public_id))
        | Q(actor_id=user.pk, action__in=SIGN_IN_ACTIONS)
    )
    events = AuditEvent.objects.select_related("organisation").filter(mine)
    return apply_filter(events, filters)


def apply_filter(events: QuerySet[AuditEvent], filters: AuditFilter) -> QuerySet[AuditEvent]:
    if filters.actor_id is not None:
        events = events.filter(actor_id=filters.actor_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id:
        events = events.filter(target_id=filters.target_id)
    if filters.date_from:
        events = events.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return events.order_by("-at", "-seq")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def actors_to_filter_by(user: Any) -> QuerySet[Any]:
    """The people the trail's "who" filter offers: everyone for a system admin, the
    reader's colleagues for an organisation admin or supervisor, nobody otherwise."""
    users = get_user_model().objects.all()
    if audit_scope_is_all(user):
        return users
    if can_view_audit_trail(user) and user.organisation_id is not None:
        return users.filter(organisation_id=user.organisation_id)
    return users.none()
