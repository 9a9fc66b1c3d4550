"""Shared machinery for case services: permission and record checks, row locking with
optimistic concurrency, the timeline row, the audit call, idempotent submissions,
deadlines and case numbers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.accounts.roles import Action
from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record
from kinga.cases import selectors
from kinga.cases.codes import OPEN_STATUSES
from kinga.cases.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    RiskPolicy,
    SubmissionKey,
)
from kinga.core.errors import DomainError, StaleEdit


def require(actor: Any, action: Action) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.can(action)):
        raise PermissionDenied


def lock_case(
    actor: Any,
    case: Case,
    *,
    expected_version: int | None,
    work: bool = True,
    statuses: Iterable[str] | None = None,
) -> Case:
    """Re-read ``case`` as ``actor`` may see it, lock its row, check the version.

    Raises ``Http404`` if the actor may not see the case, ``PermissionDenied`` if they
    may see but not work on it, ``StaleEdit`` if someone changed it since
    ``expected_version`` and ``DomainError`` if its status is not in ``statuses``.
    """
    visible = selectors.case_get_for(actor, case.public_id)
    if work:
        require(actor, Action.CASE_WORK)
        if not selectors.case_access(actor, visible).can_work:
            raise PermissionDenied
    locked = (
        Case.objects.select_for_update()
        .select_related("child", "organisation", "updated_by")
        .get(pk=visible.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            _("This case was changed by %(who)s at %(when)s — review the changes and try again.")
            % {
                "who": locked.updated_by.full_name,
                "when": date_format(timezone.localtime(locked.updated_at), "DATETIME_FORMAT"),
            }
        )
    if statuses is not None and locked.status not in set(statuses):
        raise DomainError(
            _("This cannot be done while the case is “%(status)s”.")
            % {"status": locked.get_status_display()},
            code="wrong_status",
        )
    return locked


def require_open(actor: Any, case: Case, expected_version: int | None) -> Case:
    return lock_case(actor, case, expected_version=expected_version, statuses=OPEN_STATUSES)


def require_own_organisation(actor: Any, case: Case) -> None:
    """Transfer, closure and referral belong to the case's own organisation: a county
    officer who may see and work on it cannot hand it elsewhere or close it."""
    if case.organisation_id is None or case.organisation_id != actor.organisation_id:
        raise PermissionDenied


def touch(case: Case, actor: Any, *fields: str) -> None:
    """Save ``fields`` and bump the version; the caller holds the row lock."""
    case.version = F("version") + 1
    case.updated_at = timezone.now()
    case.updated_by = actor
    case.save(update_fields=[*fields, "version", "updated_at", "updated_by"])
    case.refresh_from_db(fields=["version"])


def event(case: Case, actor: Any, kind: str, /, **detail: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, detail=detail)


def audit(
    *,
    actor: Any,
    action: AuditAction,
    target: models.Model,
    case: Case,
    fields: Iterable[str] = (),
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=target,
        fields=list(fields),
        organisation=case.organisation,
        record_owner=selectors.case_responsible(case),
        request=request,
        detail=detail,
    )


def check_past(
    value: date | datetime | None, field: str, *, not_before: date | None = None
) -> None:
    """Dates of things that happened: not in the future, not before ``not_before``."""
    if value is None:
        return
    if value.year < EARLIEST_YEAR:  # also keeps time-zone arithmetic away from year 1
        raise ValidationError({field: _("This date is too far in the past.")})
    try:
        day = timezone.localdate(value) if isinstance(value, datetime) else value
        future = isinstance(value, datetime) and (
            value > timezone.now() + timezone.timedelta(minutes=5)
        )
    except OverflowError:  # e.g. 9999-12-31T23:59-12:00 cannot be expressed in UTC
        raise ValidationError({field: _("This date is in the future.")}) from None
    if future:
        raise ValidationError({field: _("This date is in the future.")})
    if not isinstance(value, datetime) and day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})
    if not_before and day < not_before:
        raise ValidationError({field: _("This date is before the child was born.")})


#: No record in Kinga is about anything before this year.
EARLIEST_YEAR = 1900


def registration_day(case: Case) -> date:
    return timezone.localdate(case.registered_at)


def birth_floor(case: Case) -> date | None:
    child = case.child
    if child.birth_date:
        return child.birth_date
    if child.birth_year:
        return date(child.birth_year, 1, 1)
    return None


# -- deadlines -----------------------------------------------------------------------


def apply_risk_deadlines(case: Case, *, now: datetime | None = None) -> list[str]:
    """Recompute the due dates that depend on the risk level; return the changed columns."""
    now = now or timezone.now()
    policy = RiskPolicy.for_risk(case.risk)
    changed = []
    if case.first_contact_at is None:
        case.first_contact_due = case.registered_at + policy.first_contact
        changed.append("first_contact_due")
    if case.assignment_due is not None or (
        case.pk and not case.assignments.exists() and case.status in OPEN_STATUSES
    ):
        case.assignment_due = case.registered_at + policy.assignment
        changed.append("assignment_due")
    if case.next_follow_up_due is not None:
        sooner = now + policy.follow_up
        if sooner < case.next_follow_up_due:
            case.next_follow_up_due = sooner
            changed.append("next_follow_up_due")
    return changed


def clear_deadlines(case: Case) -> list[str]:
    for column in (
        "assignment_due",
        "first_contact_due",
        "assessment_due",
        "plan_due",
        "next_follow_up_due",
    ):
        setattr(case, column, None)
    return [
        "assignment_due",
        "first_contact_due",
        "assessment_due",
        "plan_due",
        "next_follow_up_due",
    ]


# -- case numbers --------------------------------------------------------------------


def next_case_number(organisation: Any, year: int) -> str:
    """``ORG-YYYY-000123``: a per-organisation-year counter, race-safe.

    The increment is one ``UPDATE … SET last = last + 1``: on PostgreSQL it locks the
    row until the transaction ends, so concurrent registrations take turns; SQLite
    serialises writers. A missing row is inserted in a savepoint; losing that race
    (unique violation) falls back to the increment.
    """
    counter = CaseNumberSequence.objects.filter(organisation=organisation, year=year)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(organisation=organisation, year=year, last=1)
        except IntegrityError:
            counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"{organisation.code}-{year}-{last:06d}"


# -- idempotent submissions ----------------------------------------------------------


class _Replay(Exception):
    def __init__(self, result: Any) -> None:
        self.result = result


def _stored_result(prior: SubmissionKey, action: str, case: Any = None) -> Any:
    if prior.action != action or prior.case_id != getattr(case, "pk", None):
        raise DomainError(
            _("This form was already used for something else; reload the page."),
            code="form_reused",
        )
    model = apps.get_model(prior.result_model)
    return model.objects.get(pk=prior.result_pk)


def idempotent[T](func: Callable[..., T]) -> Callable[..., T]:
    """Give the service an ``idempotency_key``: a second call with the same key by the
    same actor returns the first call's result instead of doing it again."""

    @functools.wraps(func)
    def wrapper(*, actor: Any, idempotency_key: str = "", **kwargs: Any) -> T:
        if not idempotency_key:
            return func(actor=actor, **kwargs)
        key = str(idempotency_key)[:64]
        case = kwargs.get("case")
        prior = SubmissionKey.objects.filter(actor=actor, key=key).first()
        if prior is not None:
            return _stored_result(prior, func.__name__, case)
        try:
            with transaction.atomic():
                result = func(actor=actor, **kwargs)
                try:
                    with transaction.atomic():
                        SubmissionKey.objects.create(
                            actor=actor,
                            key=key,
                            action=func.__name__,
                            result_model=result._meta.label_lower,
                            result_pk=result.pk,
                            case=case,
                        )
                except IntegrityError:
                    # A concurrent twin committed first: undo ours, return theirs.
                    raise _Replay(None) from None
                return result
        except _Replay:
            prior = SubmissionKey.objects.get(actor=actor, key=key)
            return _stored_result(prior, func.__name__, case)

    return wrapper
