"""Every read of accounts data that depends on who is asking.

"Missing" and "not yours" are the same ``Http404``, so a URL never reveals whether a
user or organisation exists.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from kinga.accounts.models import Organisation, User
from kinga.accounts.roles import Action


def users_visible_to(actor: User) -> QuerySet[User]:
    base = User.objects.select_related("organisation").prefetch_related("counties")
    if actor.can(Action.ORGANISATIONS_MANAGE):
        return base.all()
    if actor.can(Action.USERS_MANAGE) and actor.organisation_id:
        return base.filter(organisation_id=actor.organisation_id)
    return base.none()


def _as_uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def user_get_for(actor: User, public_id: object) -> User:
    try:
        return users_visible_to(actor).get(public_id=_as_uuid(public_id))
    except User.DoesNotExist:
        raise Http404 from None


def organisations_visible_to(actor: User) -> QuerySet[Organisation]:
    if actor.can(Action.ORGANISATIONS_MANAGE):
        return Organisation.objects.prefetch_related("counties").all()
    return Organisation.objects.none()


def organisation_get_for(actor: User, public_id: object) -> Organisation:
    try:
        return organisations_visible_to(actor).get(public_id=_as_uuid(public_id))
    except Organisation.DoesNotExist:
        raise Http404 from None


def organisation_choices_for(actor: User) -> QuerySet[Organisation]:
    """Organisations an admin may invite people into."""
    if actor.can(Action.ORGANISATIONS_MANAGE):
        return Organisation.objects.filter(is_active=True)
    if actor.can(Action.USERS_MANAGE) and actor.organisation_id:
        return Organisation.objects.filter(pk=actor.organisation_id)
    return Organisation.objects.none()
