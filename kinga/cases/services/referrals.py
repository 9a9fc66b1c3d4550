"""Referrals: consent-gated sending with a share profile, and the partner's answer.

A referral never copies the child's account: the partner reads the one shared record,
limited to the referral's share profile, while the referral is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.accounts.models import Organisation
from kinga.accounts.roles import Action
from kinga.audit.models import AuditAction
from kinga.cases import selectors
from kinga.cases.codes import ALL_GROUPS, OPEN_STATUSES, EventKind, ReferralStatus, ServiceType
from kinga.cases.models import Case, OrganisationService, Referral, RiskPolicy, Service
from kinga.cases.services._common import (
    audit,
    birth_floor,
    check_past,
    event,
    idempotent,
    require,
    require_open,
    require_own_organisation,
    touch,
)
from kinga.cases.services.work import _validate_service
from kinga.core.errors import DomainError


def consent_gate(
    *, actor: Any, case: Case, organisation: Organisation, override_reason: str
) -> bool:
    """Check consent before sharing with ``organisation``; return True if overridden.

    Missing consent raises ``DomainError(code="consent_missing")`` naming what is
    missing. A supervisor (``CONSENT_OVERRIDE``) may pass a reason to override.
    """
    gaps = selectors.consent_gaps(case, organisation_kind=organisation.kind)
    if not gaps:
        return False
    if not override_reason.strip():
        raise DomainError(
            " ".join(
                [
                    *gaps,
                    _("Record the missing consent, or ask a supervisor to override with a reason."),
                ]
            ),
            code="consent_missing",
        )
    if not actor.can(Action.CONSENT_OVERRIDE) or actor.organisation_id != case.organisation_id:
        raise DomainError(
            " ".join(
                [
                    *gaps,
                    _(
                        "Only a supervisor of the case's organisation may override missing "
                        "consent. Record the consent, or ask a supervisor."
                    ),
                ]
            ),
            code="override_not_allowed",
        )
    return True


@idempotent
@transaction.atomic
def referral_send(
    *,
    actor: Any,
    case: Case,
    to_organisation: Organisation,
    service_type: str,
    share_groups: Iterable[str],
    reason: str = "",
    consent_override_reason: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the child to a partner for one service, sharing only ``share_groups``."""
    require(actor, Action.REFERRAL_SEND)
    case = require_open(actor, case, expected_version)
    require_own_organisation(actor, case)
    groups = sorted(set(share_groups))
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("Choose one of the listed services.")})
    if not groups or not set(groups) <= ALL_GROUPS:
        raise ValidationError({"share_groups": _("Choose what the partner may see.")})
    if to_organisation.pk == case.organisation_id or not to_organisation.is_active:
        raise ValidationError({"to_organisation": _("Choose another, active organisation.")})
    if not OrganisationService.objects.filter(
        organisation=to_organisation, service_type=service_type
    ).exists():
        raise DomainError(
            _("%(org)s does not offer “%(service)s”. Choose an organisation that does.")
            % {"org": to_organisation.name, "service": ServiceType(service_type).label},
            code="service_not_offered",
        )
    if case.referrals.filter(
        to_organisation=to_organisation,
        service_type=service_type,
        status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED],
    ).exists():
        raise DomainError(
            _("This child is already referred to this organisation for this service."),
            code="already_referred",
        )
    overridden = consent_gate(
        actor=actor,
        case=case,
        organisation=to_organisation,
        override_reason=consent_override_reason,
    )
    referral = Referral.objects.create(
        case=case,
        from_organisation_id=case.organisation_id,
        to_organisation=to_organisation,
        service_type=service_type,
        share_groups=groups,
        reason=reason.strip(),
        sent_by=actor,
        response_due=timezone.now() + RiskPolicy.for_risk(case.risk).referral_response,
        consent_overridden=overridden,
        override_by=actor if overridden else None,
        override_reason=consent_override_reason.strip() if overridden else "",
    )
    touch(case, actor)
    if overridden:
        event(case, actor, EventKind.CONSENT_OVERRIDE, for_referral=str(referral.public_id))
        audit(
            actor=actor,
            action=AuditAction.CONSENT_OVERRIDE,
            target=referral,
            case=case,
            fields=["override_reason"],
            request=request,
            detail={"to_organisation_kind": to_organisation.kind},
        )
    event(
        case,
        actor,
        EventKind.REFERRAL_SENT,
        to_organisation=to_organisation.code,
        service_type=service_type,
        share_groups=groups,
        consent_overridden=overridden,
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=referral,
        case=case,
        fields=["to_organisation", "service_type", "share_groups", *(["reason"] if reason else [])],
        request=request,
        detail={"consent_overridden": overridden},
    )
    return referral


def _lock_received(actor: Any, referral: Referral, status: str) -> Referral:
    if actor.organisation_id != referral.to_organisation_id:
        raise Http404  # not addressed to this user's organisation: as if it did not exist
    require(actor, Action.REFERRAL_RECEIVE)
    # The case first (the order every case service locks in), then the referral.
    case = Case.objects.select_for_update().select_related("organisation").get(pk=referral.case_id)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    locked.case = case
    if case.status not in OPEN_STATUSES:  # closed, closing or transferred away
        raise DomainError(
            _("This cannot be done while the case is “%(status)s”.")
            % {"status": locked.case.get_status_display()},
            code="wrong_status",
        )
    if locked.status != status:
        raise DomainError(
            _("This referral is “%(status)s”; it cannot be changed this way.")
            % {"status": locked.get_status_display()},
            code="wrong_status",
        )
    return locked


def _partner_touch(referral: Referral, actor: Any, kind: str, **detail: Any) -> Case:
    case = Case.objects.select_for_update().get(pk=referral.case_id)
    touch(case, actor)
    event(case, actor, kind, organisation=actor.organisation.code, **detail)
    return case


@transaction.atomic
def referral_accept(
    *, actor: Any, referral: Referral, request: HttpRequest | None = None
) -> Referral:
    """The partner takes the referral: it may now read the share profile."""
    referral = _lock_received(actor, referral, ReferralStatus.SENT)
    referral.status = ReferralStatus.ACCEPTED
    referral.responded_by, referral.responded_at = actor, timezone.now()
    referral.response_due = None
    referral.save(update_fields=["status", "responded_by", "responded_at", "response_due"])
    case = _partner_touch(referral, actor, EventKind.REFERRAL_ACCEPTED)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=referral,
        case=case,
        fields=["status"],
        request=request,
        detail={"status": "accepted"},
    )
    return referral


@transaction.atomic
def referral_decline(
    *, actor: Any, referral: Referral, reason: str, request: HttpRequest | None = None
) -> Referral:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    referral = _lock_received(actor, referral, ReferralStatus.SENT)
    referral.status = ReferralStatus.DECLINED
    referral.responded_by, referral.responded_at = actor, timezone.now()
    referral.response_due = None
    referral.decline_reason = reason.strip()
    referral.save(
        update_fields=["status", "responded_by", "responded_at", "response_due", "decline_reason"]
    )
    case = _partner_touch(referral, actor, EventKind.REFERRAL_DECLINED)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=referral,
        case=case,
        fields=["status", "decline_reason"],
        request=request,
        detail={"status": "declined"},
    )
    return referral


@transaction.atomic
def referral_complete(
    *,
    actor: Any,
    referral: Referral,
    delivered_on: date,
    sub_type: str = "",
    notes: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """The partner records the service delivered; the referral (and its access) ends."""
    referral = _lock_received(actor, referral, ReferralStatus.ACCEPTED)
    if delivered_on is None:
        raise ValidationError({"delivered_on": _("Give the date the service was given.")})
    _validate_service(referral.service_type, sub_type, delivered_on, None, referral.case)
    check_past(delivered_on, "delivered_on", not_before=birth_floor(referral.case))
    Service.objects.create(
        case=referral.case,
        service_type=referral.service_type,
        sub_type=sub_type,
        organisation=referral.to_organisation,
        referral=referral,
        provided_by=actor,
        delivered_on=delivered_on,
        notes=notes.strip(),
    )
    referral.status = ReferralStatus.COMPLETED
    referral.completed_at = timezone.now()
    referral.save(update_fields=["status", "completed_at"])
    case = _partner_touch(
        referral, actor, EventKind.REFERRAL_COMPLETED, service_type=referral.service_type
    )
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=referral,
        case=case,
        fields=["status", "service"],
        request=request,
        detail={"status": "completed"},
    )
    return referral


@transaction.atomic
def referral_cancel(
    *,
    actor: Any,
    referral: Referral,
    reason: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """The referring team withdraws a referral that is still sent or accepted: the
    partner's access to the case ends at once."""
    require(actor, Action.REFERRAL_SEND)
    case = require_open(actor, referral.case, expected_version)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.case_id != case.pk or case.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if referral.status not in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
        raise DomainError(
            _("This referral is “%(status)s”; it cannot be cancelled.")
            % {"status": referral.get_status_display()},
            code="wrong_status",
        )
    referral.status = ReferralStatus.CANCELLED
    referral.response_due = None
    referral.save(update_fields=["status", "response_due"])
    touch(case, actor)
    event(case, actor, EventKind.REFERRAL_CANCELLED, organisation=referral.to_organisation.code)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=referral,
        case=case,
        fields=["status"],
        request=request,
        detail={"status": "cancelled"},
    )
    return referral
