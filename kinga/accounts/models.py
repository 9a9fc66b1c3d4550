"""Organisations, the people who work in them, and sign-in bookkeeping."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinga.accounts.roles import Action, Role, role_can
from kinga.geo.models import County, SubCounty
from kinga.vault.fields import SealedTextField


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    COUNTY_OFFICE = "county_office", _("County children's office")
    POLICE_UNIT = "police_unit", _("Police child-protection unit")
    HEALTH_FACILITY = "health_facility", _("Health facility")
    SCHOOL = "school", _("School")
    COURT = "court", _("Court")
    HELPLINE = "helpline", _("Helpline")
    CBO = "cbo", _("Community-based organisation")


class Organisation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=32, choices=OrganisationKind.choices)
    code = models.CharField(
        _("short code"),
        max_length=8,
        unique=True,
        help_text=_("Letters used in case numbers, e.g. KWL."),
    )
    counties = models.ManyToManyField(County, blank=True, verbose_name=_("counties served"))
    is_demo = models.BooleanField(_("demo organisation"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("role", Role.SYSTEM_ADMIN)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the login; the role decides what they may do."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    counties = models.ManyToManyField(County, blank=True, verbose_name=_("counties covered"))
    sub_counties = models.ManyToManyField(
        SubCounty, blank=True, verbose_name=_("sub-counties covered")
    )
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=[("en", "English"), ("sw", "Kiswahili")], default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    mfa_secret = SealedTextField(_("two-factor secret"))
    mfa_enabled = models.BooleanField(_("two-factor sign-in on"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def organisation_is_active(self) -> bool:
        return self.organisation_id is None or self.organisation.is_active

    def can(self, action: Action) -> bool:
        return self.is_active and self.organisation_is_active and role_can(self.role, action)


class FailedLogin(models.Model):
    """One failed sign-in. Both keys are HMAC digests: typed names and IPs are not kept."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    account_digest = models.CharField(max_length=64, db_index=True)
    ip_digest = models.CharField(max_length=64, db_index=True)
    cleared = models.BooleanField(default=False)  # the account later signed in fully

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")

    def __str__(self) -> str:
        return f"failed sign-in at {self.at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """A pending account: the invitee sets their own password through a one-time link."""

    token_digest = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="invitation")
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"invitation for {self.user}"
