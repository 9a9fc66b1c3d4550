"""The child, their household and caregivers. Identity is sealed; lookups use blind
indexes written by the services (``kinga.cases.services``), never by ``save()``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinga.cases.codes import IncomeBand, Relationship, Sex
from kinga.geo.models import County, SubCounty, Ward
from kinga.vault.fields import BlindIndexField, SealedTextField


class Household(models.Model):
    """The people a child lives with; siblings share one. Economic data for family support."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    members = models.PositiveSmallIntegerField(_("people in the household"), null=True, blank=True)
    income_band = models.CharField(
        _("household income"), max_length=16, choices=IncomeBand.choices, blank=True
    )
    income_source = SealedTextField(_("main income source"))  # may name a person or a place
    in_savings_group = models.BooleanField(_("in a savings group"), default=False)
    receives_cash_transfer = models.BooleanField(_("receives a cash transfer"), default=False)
    address = SealedTextField(_("address"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"household {self.public_id}"


class Child(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by organisation"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    # Sealed identity.
    given_name = SealedTextField(_("first name"))
    family_name = SealedTextField(_("other names"))
    nickname = SealedTextField(_("nickname or name used"))
    phone = SealedTextField(_("phone"))
    location_detail = SealedTextField(_("exact location"))
    narrative = SealedTextField(_("the child's account"))
    # Blind indexes (exact lookups).
    name_index = BlindIndexField()
    phone_index = BlindIndexField()
    name_token_version = models.PositiveSmallIntegerField(default=0)
    # Not identifying on their own.
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("date of birth is estimated"), default=True)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county")
    )
    sub_county = models.ForeignKey(
        SubCounty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sub-county"),
    )
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        indexes = [models.Index(fields=["county", "birth_year"], name="child_county_year")]

    def __str__(self) -> str:
        return f"child {self.public_id}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def age_on(self, day) -> int | None:
        """Whole years on ``day``; from the year alone, the lower of the two possible ages."""
        if self.birth_date:
            before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
            return day.year - self.birth_date.year - before_birthday
        if self.birth_year:
            return max(day.year - self.birth_year - 1, 0)
        return None


class TokenKind(models.TextChoices):
    NAME = "name", _("name")
    NICKNAME = "nickname", _("nickname")
    CAREGIVER = "caregiver", _("caregiver's name")


class ChildNameToken(models.Model):
    """One spelling-tolerant blind-index token of a name linked to a child."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="name_tokens")
    kind = models.CharField(max_length=10, choices=TokenKind.choices, default=TokenKind.NAME)
    token = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "token"], name="cases_childtoken_unique"
            )
        ]
        indexes = [models.Index(fields=["token", "child"], name="childtoken_token")]

    def __str__(self) -> str:
        return f"token of {self.child_id}"


class Caregiver(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="caregivers")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="caregivers"
    )
    name = SealedTextField(_("name"))
    phone = SealedTextField(_("phone"))
    phone_index = BlindIndexField()
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    lives_with_child = models.BooleanField(_("lives with the child"), default=True)
    suspected_exploiter = models.BooleanField(
        _("suspected of exploiting the child"),
        default=False,
        help_text=_("Hides the case from this person everywhere (e.g. no SMS to this phone)."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")

    def __str__(self) -> str:
        return f"caregiver {self.public_id}"
