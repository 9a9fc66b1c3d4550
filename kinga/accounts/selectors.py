"""Every read of accounts data that depends on who is asking.

"Missing" and "not yours" are the same ``Http404``, so a URL never reveals whether a
user or organisation exists.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from kinga.accounts.models import Organisation, User
from kinga.accounts.roles import Action


def users_visible_to(actor: User, *, search: str = "") -> QuerySet[User]:
    """People this admin manages, optionally matching a name or email fragment.

    The two-factor secret is deferred: lists never need it, and reading it would
    decrypt one value per row.
    """
    base = (
        User.objects.select_related("organisation").prefetch_related("counties").defer("mfa_secret")
    )
    if actor.can(Action.ORGANISATIONS_MANAGE):
        found = base.all()
    elif actor.can(Action.USERS_MANAGE) and actor.organisation_id:
        found = base.filter(organisation_id=actor.organisation_id)
    else:
        return base.none()
    if search:
        found = found.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return found


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


def pending_signin_user(user_pk: object) -> User | None:
    """The person between password and code in a two-step sign-in, if still allowed in."""
    if not isinstance(user_pk, int):
        return None
    user = User.objects.select_related("organisation").filter(pk=user_pk, is_active=True).first()
    if user is None or not user.organisation_is_active:
        return None
    return user
