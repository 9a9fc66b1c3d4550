"""The household's economic situation (for family economic support)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kinga.audit.models import AuditAction
from kinga.cases.codes import EventKind, IncomeBand
from kinga.cases.models import Case, Household
from kinga.cases.services._common import audit, event, require_open, touch

ECONOMIC_FIELDS = (
    "members",
    "income_band",
    "income_source",
    "in_savings_group",
    "receives_cash_transfer",
)


@transaction.atomic
def household_update(
    *,
    actor: Any,
    case: Case,
    expected_version: int,
    members: int | None = None,
    income_band: str = "",
    income_source: str = "",
    in_savings_group: bool = False,
    receives_cash_transfer: bool = False,
    request: HttpRequest | None = None,
) -> Household:
    """Record the household's economic data; the first call creates the household and
    links the child and their caregivers to it."""
    case = require_open(actor, case, expected_version)
    if income_band and income_band not in IncomeBand.values:
        raise ValidationError({"income_band": _("Choose one of the listed options.")})
    if members is not None and not 1 <= members <= 60:
        raise ValidationError({"members": _("Give the number of people, from 1 to 60.")})
    values = {
        "members": members,
        "income_band": income_band,
        "income_source": income_source.strip()[:100],
        "in_savings_group": in_savings_group,
        "receives_cash_transfer": receives_cash_transfer,
    }
    child = case.child
    created = child.household_id is None
    if created:
        household = Household.objects.create(organisation_id=case.organisation_id, **values)
        child.household = household
        child.save(update_fields=["household"])
        child.caregivers.filter(household__isnull=True).update(household=household)
        changed = [name for name, value in values.items() if value not in (None, "", False)]
    else:
        household = Household.objects.select_for_update().get(pk=child.household_id)
        changed = [name for name, value in values.items() if getattr(household, name) != value]
        for name in changed:
            setattr(household, name, values[name])
        if changed:
            household.save(update_fields=changed)
    touch(case, actor)
    event(case, actor, EventKind.HOUSEHOLD_UPDATED, created=created, changed=len(changed))
    audit(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=household,
        case=case,
        fields=changed,
        request=request,
    )
    return household
