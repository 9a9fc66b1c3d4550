"""The case, its numbering, assignments, deadlines policy and timeline."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinga.cases.codes import (
    CATEGORY_LABELS,
    CaseNature,
    CaseStatus,
    EventKind,
    ReporterType,
    Risk,
    ServiceType,
)
from kinga.cases.models.people import Child


class CaseCategory(models.Model):
    """A case category (CPIMS-aligned); sub-categories point at their parent."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return str(CATEGORY_LABELS.get(self.code, self.label))


class RiskPolicy(models.Model):
    """Deadlines per risk level — configuration, edited by system admins.

    Defaults (DOMAIN.md, loaded by migration 0002): first contact high 24 h / medium 3 d /
    low 7 d; an unassigned high-risk case is overdue after 1 h; comprehensive assessment
    and case plan within 14 days; follow-up weekly / fortnightly / monthly.
    """

    risk = models.CharField(max_length=8, choices=Risk.choices, unique=True)
    first_contact_hours = models.PositiveIntegerField()
    assignment_hours = models.PositiveIntegerField(
        help_text=_("An unassigned case is overdue for assignment after this many hours.")
    )
    assessment_days = models.PositiveIntegerField(default=14)
    plan_days = models.PositiveIntegerField(default=14)
    follow_up_days = models.PositiveIntegerField()
    referral_response_hours = models.PositiveIntegerField(default=72)

    class Meta:
        verbose_name = _("risk policy")
        verbose_name_plural = _("risk policies")

    def __str__(self) -> str:
        return f"{self.risk} risk deadlines"

    DEFAULTS = {
        Risk.HIGH: {
            "first_contact_hours": 24,
            "assignment_hours": 1,
            "assessment_days": 14,
            "plan_days": 14,
            "follow_up_days": 7,
            "referral_response_hours": 24,
        },
        Risk.MEDIUM: {
            "first_contact_hours": 72,
            "assignment_hours": 24,
            "assessment_days": 14,
            "plan_days": 14,
            "follow_up_days": 14,
            "referral_response_hours": 72,
        },
        Risk.LOW: {
            "first_contact_hours": 168,
            "assignment_hours": 72,
            "assessment_days": 14,
            "plan_days": 14,
            "follow_up_days": 30,
            "referral_response_hours": 168,
        },
    }

    @classmethod
    def for_risk(cls, risk: str) -> RiskPolicy:
        policy = cls.objects.filter(risk=risk).first()
        return policy if policy is not None else cls(risk=risk, **cls.DEFAULTS[Risk(risk)])

    @property
    def first_contact(self) -> timedelta:
        return timedelta(hours=self.first_contact_hours)

    @property
    def assignment(self) -> timedelta:
        return timedelta(hours=self.assignment_hours)

    @property
    def assessment(self) -> timedelta:
        return timedelta(days=self.assessment_days)

    @property
    def plan(self) -> timedelta:
        return timedelta(days=self.plan_days)

    @property
    def follow_up(self) -> timedelta:
        return timedelta(days=self.follow_up_days)

    @property
    def referral_response(self) -> timedelta:
        return timedelta(hours=self.referral_response_hours)


class CaseNumberSequence(models.Model):
    """The last case number used per organisation and year. Numbers carry no identity."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="cases_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("case number"), max_length=24, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("owning organisation"),
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices)
    nature = models.CharField(_("nature"), max_length=10, choices=CaseNature.choices, blank=True)
    reporter_type = models.CharField(
        _("reported by"), max_length=16, choices=ReporterType.choices, blank=True
    )
    categories = models.ManyToManyField(
        CaseCategory, blank=True, related_name="cases", verbose_name=_("categories")
    )
    aged_out = models.BooleanField(
        _("18 or older at registration"),
        default=False,
        help_text=_("Registered as a young adult (aged out) for continued services."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseAssignment",
        through_fields=("case", "user"),
        related_name="assigned_cases",
        blank=True,
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    registered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    # Due dates: null when met or not applicable, so "my tasks" is one indexed query.
    assignment_due = models.DateTimeField(null=True, blank=True)
    first_contact_due = models.DateTimeField(null=True, blank=True)
    assessment_due = models.DateTimeField(null=True, blank=True)
    plan_due = models.DateTimeField(null=True, blank=True)
    next_follow_up_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["organisation", "status", "-registered_at"], name="case_org"),
            models.Index(fields=["first_contact_due"], name="case_fc_due"),
            models.Index(fields=["assessment_due"], name="case_as_due"),
            models.Index(fields=["plan_due"], name="case_plan_due"),
            models.Index(fields=["next_follow_up_due"], name="case_fu_due"),
            models.Index(fields=["organisation", "assignment_due"], name="case_asg_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        from kinga.cases.codes import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class CaseAssignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="cases_assignment_unique")
        ]
        indexes = [models.Index(fields=["user", "case"], name="assignment_user")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.case_id}"


class CaseEvent(models.Model):
    """The timeline: one row per thing that happened to a case, never identity."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"


class OrganisationService(models.Model):
    """Which services an organisation offers: referrals go only where the service is."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="services_offered"
    )
    service_type = models.CharField(max_length=20, choices=ServiceType.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service_type"], name="cases_orgservice_unique"
            )
        ]
        verbose_name = _("service offered")
        verbose_name_plural = _("services offered")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.service_type}"


class SubmissionKey(models.Model):
    """A form token already used by an actor: a double submit returns the first result."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    action = models.CharField(max_length=40)
    result_model = models.CharField(max_length=60)
    result_pk = models.BigIntegerField()
    #: The case the submission was for: the same key on another case is refused.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="cases_submissionkey_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id}"
