"""Every write to accounts and organisations. Keyword-only, atomic, permission-checked,
audited. Views and the API call these; nothing else saves these models."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from kinga.accounts import lockout
from kinga.accounts.models import Invitation, Organisation, OrganisationKind, User
from kinga.accounts.roles import Action, Role
from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record
from kinga.geo.models import County, SubCounty

INVITATION_DAYS = 7


def _require(actor: User, action: Action) -> None:
    if not actor.can(action):
        raise PermissionDenied


def _require_same_organisation(actor: User, user: User) -> None:
    """Org admins manage only their own organisation's people, and never a system
    admin; system admins manage anyone."""
    if actor.can(Action.ORGANISATIONS_MANAGE):
        return
    _require(actor, Action.USERS_MANAGE)
    if actor.organisation_id is None or actor.organisation_id != user.organisation_id:
        raise PermissionDenied
    if user.role == Role.SYSTEM_ADMIN:
        raise PermissionDenied


def assignable_roles(actor: User) -> set[str]:
    """The roles this admin may give. Only a system admin makes system admins."""
    if actor.can(Action.ORGANISATIONS_MANAGE):
        return set(Role.values)
    return set(Role.values) - {Role.SYSTEM_ADMIN}


# Roles that only make sense in one kind of organisation: a county children's officer
# sees every case in their counties, so only a county office may hold that role.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.COUNTY_OFFICER: {OrganisationKind.COUNTY_OFFICE},
}


def _check_role_fits(role: str, organisation: Organisation | None) -> None:
    if role == Role.SYSTEM_ADMIN:
        if organisation is not None:
            raise ValidationError(
                {"organisation": _("System admins belong to no organisation; leave it empty.")}
            )
        return
    if organisation is None:
        raise ValidationError({"organisation": _("Choose an organisation.")})
    kinds = ROLE_ORGANISATION_KINDS.get(role)
    if kinds is not None and organisation.kind not in kinds:
        raise ValidationError(
            {"role": _("This role can only be held in a county children's office.")}
        )


def _check_coverage(
    organisation: Organisation | None,
    counties: Iterable[County],
    sub_counties: Iterable[SubCounty],
) -> None:
    """A person covers only places their organisation serves."""
    if organisation is None:
        if list(counties) or list(sub_counties):
            raise ValidationError({"counties": _("System admins cover no counties.")})
        return
    served = set(organisation.counties.values_list("pk", flat=True))
    if {c.pk for c in counties} - served:
        raise ValidationError({"counties": _("Choose only counties your organisation serves.")})
    if {s.county_id for s in sub_counties} - served:
        raise ValidationError(
            {"sub_counties": _("Choose only sub-counties in counties your organisation serves.")}
        )


def _revoke_tokens(user: User) -> None:
    Token.objects.filter(user=user).delete()


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def user_invite(
    *,
    actor: User,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation | None = None,
    counties: Iterable[County] = (),
    sub_counties: Iterable[SubCounty] = (),
    request: HttpRequest | None = None,
) -> tuple[User, str]:
    """Create an inactive-until-accepted account and return it with a one-time token.

    The token is shown to the inviting admin (and, later, sent by email); only its
    digest is stored.
    """
    if not actor.can(Action.ORGANISATIONS_MANAGE):
        _require(actor, Action.USERS_MANAGE)
        organisation = organisation or actor.organisation
        if organisation is None or organisation.pk != actor.organisation_id:
            raise PermissionDenied
    if role not in assignable_roles(actor):
        raise ValidationError({"role": _("You cannot give this role.")})
    counties, sub_counties = list(counties), list(sub_counties)
    _check_role_fits(role, organisation)
    _check_coverage(organisation, counties, sub_counties)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone already has an account with this email.")})
    is_system_admin = role == Role.SYSTEM_ADMIN
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        is_staff=is_system_admin,
        is_superuser=is_system_admin,
    )
    user.set_unusable_password()
    user.save()
    user.counties.set(counties)
    user.sub_counties.set(sub_counties)
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        token_digest=_token_digest(token),
        user=user,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        actor=actor,
        action=AuditAction.INVITE,
        target=user,
        organisation=organisation,
        fields=["email", "full_name", "role", "counties", "sub_counties"],
        request=request,
        detail={"role": role},
    )
    return user, token


def invitation_for_token(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("user")
        .filter(token_digest=_token_digest(token), accepted_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at < timezone.now():
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str, request: HttpRequest | None = None
) -> User:
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGED,
        target=user,
        request=request,
        record_owner=user,
        detail={"via": "invitation"},
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    role: str,
    counties: Iterable[County],
    sub_counties: Iterable[SubCounty],
    request: HttpRequest | None = None,
) -> User:
    _require_same_organisation(actor, user)
    if role not in assignable_roles(actor):
        raise ValidationError({"role": _("You cannot give this role.")})
    if user.pk == actor.pk and role != user.role:
        raise ValidationError({"role": _("You cannot change your own role.")})
    if (role == Role.SYSTEM_ADMIN) != (user.role == Role.SYSTEM_ADMIN):
        raise ValidationError(
            {"role": _("System admin accounts are separate: invite a new account instead.")}
        )
    counties, sub_counties = list(counties), list(sub_counties)
    _check_role_fits(role, user.organisation)
    _check_coverage(user.organisation, counties, sub_counties)
    changed = []
    if user.full_name != full_name.strip():
        user.full_name = full_name.strip()
        changed.append("full_name")
    old_role = user.role
    if old_role != role:
        user.role = role
        changed.append("role")
    if changed:
        user.save(update_fields=changed)
    user.counties.set(counties)
    user.sub_counties.set(sub_counties)
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_CHANGED if "role" in changed else AuditAction.UPDATE,
        target=user,
        organisation=user.organisation,
        record_owner=user,
        fields=[*changed, "counties", "sub_counties"],
        request=request,
        detail={"from": old_role, "to": role} if "role" in changed else None,
    )
    return user


@transaction.atomic
def user_set_active(
    *, actor: User, user: User, active: bool, request: HttpRequest | None = None
) -> User:
    """Deactivating ends the user's sessions at once: every request re-checks is_active."""
    _require_same_organisation(actor, user)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = active
    user.deactivated_at = None if active else timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    if not active:
        _revoke_tokens(user)
    audit_record(
        actor=actor,
        action=AuditAction.REACTIVATE if active else AuditAction.DEACTIVATE,
        target=user,
        organisation=user.organisation,
        record_owner=user,
        request=request,
    )
    return user


@transaction.atomic
def user_reset_password(*, actor: User, user: User, request: HttpRequest | None = None) -> str:
    """Give the user a new one-time link to set a password. The old password, the
    two-factor enrolment (the usual reason is a lost phone) and every API token stop
    working; the person enrols a new authenticator at their next sign-in."""
    _require_same_organisation(actor, user)
    user.set_unusable_password()
    user.mfa_secret = ""
    user.mfa_enabled = False
    user.save(update_fields=["password", "mfa_secret", "mfa_enabled"])
    _revoke_tokens(user)
    Invitation.objects.filter(user=user).delete()
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        token_digest=_token_digest(token),
        user=user,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        actor=actor,
        action=AuditAction.PASSWORD_RESET,
        target=user,
        organisation=user.organisation,
        record_owner=user,
        request=request,
        detail={"mfa_reset": True},
    )
    return token


@transaction.atomic
def password_change(
    *, user: User, old_password: str, new_password: str, request: HttpRequest | None = None
) -> User:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("Your current password is not right.")})
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _revoke_tokens(user)
    audit_record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGED,
        target=user,
        record_owner=user,
        request=request,
    )
    return user


def mfa_new_secret() -> str:
    return pyotp.random_base32()


def mfa_code_is_valid(secret: str, code: str) -> bool:
    code = "".join(ch for ch in code if ch.isdigit())
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


@transaction.atomic
def mfa_enable(*, user: User, secret: str, code: str, request: HttpRequest | None = None) -> User:
    if not mfa_code_is_valid(secret, code):
        audit_record(
            actor=user,
            action=AuditAction.MFA_FAILED,
            target=user,
            record_owner=user,
            request=request,
            outcome="failed",
        )
        raise ValidationError({"code": _("That code is not right. Check the time on your phone.")})
    user.mfa_secret = secret
    user.mfa_enabled = True
    user.save(update_fields=["mfa_secret", "mfa_enabled"])
    audit_record(
        actor=user, action=AuditAction.MFA_ENABLED, target=user, record_owner=user, request=request
    )
    return user


def mfa_required_for(user: User) -> bool:
    from kinga.accounts.roles import IDENTIFIED_DATA_ROLES

    return settings.KINGA_REQUIRE_MFA and user.role in IDENTIFIED_DATA_ROLES


@transaction.atomic
def organisation_save(
    *,
    actor: User,
    organisation: Organisation | None,
    name: str,
    kind: str,
    code: str,
    counties: Iterable[County],
    is_active: bool = True,
    request: HttpRequest | None = None,
) -> Organisation:
    _require(actor, Action.ORGANISATIONS_MANAGE)
    creating = organisation is None
    organisation = organisation or Organisation()
    name = name.strip()
    others = Organisation.objects.exclude(pk=organisation.pk)
    if others.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An organisation with this name already exists.")})
    values = {"name": name, "kind": kind, "code": code.strip().upper(), "is_active": is_active}
    changed = [field for field, value in values.items() if getattr(organisation, field) != value]
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.full_clean(exclude=["counties"])
    if creating:
        organisation.save()
    elif changed:
        organisation.save(update_fields=changed)
    counties = list(counties)
    if {c.pk for c in counties} != set(organisation.counties.values_list("pk", flat=True)):
        organisation.counties.set(counties)
        changed.append("counties")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        target=organisation,
        organisation=organisation,
        fields=changed,
        request=request,
    )
    return organisation


def mfa_verify(*, user: User, code: str, request: HttpRequest | None = None) -> bool:
    """Check a sign-in's second factor. Wrong codes count towards the same lockout as
    wrong passwords, for the web and the API alike.

    Raises :class:`kinga.accounts.backends.AccountLocked` once the limit is reached.
    """
    from kinga.accounts.backends import AccountLocked

    if lockout.is_locked(user.email, request):
        raise AccountLocked
    if user.mfa_enabled and mfa_code_is_valid(user.mfa_secret, code):
        return True
    lockout.record_failure(user.email, request)
    audit_record(
        actor=None,
        action=AuditAction.MFA_FAILED,
        target=user,
        record_owner=user,
        organisation=user.organisation,
        request=request,
        outcome="failed",
    )
    return False


def signin_complete(*, user: User, request: HttpRequest | None, via: str = "web") -> None:
    """Bookkeeping once a person is fully signed in (password and, if enrolled, code)."""
    lockout.clear_failures(user.email)
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        target=user,
        record_owner=user,
        request=request,
        detail={"via": via} if via != "web" else None,
    )


def user_set_language(*, user: User, language: str) -> None:
    """Remember the interface language a person chose; applied at each sign-in."""
    if language not in dict(settings.LANGUAGES) or user.preferred_language == language:
        return
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
