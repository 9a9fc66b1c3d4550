"""The work done on a case: consent, assessments, plans, services, referrals,
follow-ups, conferences, interviews, closure and transfer. Free text is sealed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kinga.cases.codes import (
    ActionStatus,
    Answer,
    AssentStatus,
    AssessmentKind,
    ClosureOutcome,
    ClosureStatus,
    Domain,
    FollowUpKind,
    IncomeBand,
    InterviewPurpose,
    LawfulBasis,
    PlanStatus,
    ReferralStatus,
    Risk,
    Schooling,
    ServiceType,
)
from kinga.cases.models.case import Case
from kinga.cases.models.people import Caregiver
from kinga.vault.fields import SealedTextField

USER = settings.AUTH_USER_MODEL


class Consent(models.Model):
    """Consent and assent for one case. The newest row not withdrawn is in force."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    child_assent = models.CharField(
        _("child's assent"), max_length=10, choices=AssentStatus.choices
    )
    caregiver_consent = models.BooleanField(_("caregiver consented"), default=False)
    caregiver = models.ForeignKey(
        Caregiver,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caregiver who consented"),
    )
    scope_services = models.BooleanField(_("services"), default=True)
    scope_sharing = models.JSONField(
        _("sharing with these kinds of organisation"), default=list, blank=True
    )
    scope_research = models.BooleanField(_("pseudonymised research"), default=False)
    lawful_basis = models.CharField(
        _("lawful basis without caregiver consent"),
        max_length=20,
        choices=LawfulBasis.choices,
        blank=True,
    )
    lawful_basis_note = SealedTextField(_("why this basis applies"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = SealedTextField(_("withdrawal note"))

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["case", "withdrawn_at"], name="consent_case")]

    def __str__(self) -> str:
        return f"consent {self.public_id}"


class Assessment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=14, choices=AssessmentKind.choices)
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("assessed on"), default=timezone.now)
    risk = models.CharField(_("risk after assessment"), max_length=8, choices=Risk.choices)
    # Safety
    safe_where_living = models.CharField(
        _("safe where the child lives"), max_length=8, choices=Answer.choices, blank=True
    )
    still_exploited = models.CharField(
        _("exploitation is continuing"), max_length=8, choices=Answer.choices, blank=True
    )
    needs_shelter = models.BooleanField(_("needs a safe place now"), default=False)
    # Health incl. PEP/PRC within 72 h
    sexual_assault_at = models.DateTimeField(
        _("last sexual assault (if known)"), null=True, blank=True
    )
    pep_given = models.CharField(_("PEP given"), max_length=8, choices=Answer.choices, blank=True)
    prc_done = models.CharField(
        _("PRC form completed"), max_length=8, choices=Answer.choices, blank=True
    )
    pregnant = models.CharField(_("pregnant"), max_length=8, choices=Answer.choices, blank=True)
    health_needs = models.BooleanField(_("other health needs"), default=False)
    # Education
    schooling = models.CharField(
        _("schooling"), max_length=14, choices=Schooling.choices, blank=True
    )
    # Mental health
    distress_signs = models.BooleanField(_("signs of distress"), default=False)
    needs_counselling = models.BooleanField(_("needs counselling"), default=False)
    # Family
    caregiver_protective = models.CharField(
        _("a caregiver can protect the child"), max_length=8, choices=Answer.choices, blank=True
    )
    # Economy
    income_band = models.CharField(
        _("household income"), max_length=16, choices=IncomeBand.choices, blank=True
    )
    # Legal
    reported_to_police = models.CharField(
        _("reported to police"), max_length=8, choices=Answer.choices, blank=True
    )
    court_case = models.CharField(_("court case"), max_length=8, choices=Answer.choices, blank=True)
    notes = SealedTextField(_("notes"))

    class Meta:
        ordering = ["assessed_at", "pk"]
        indexes = [models.Index(fields=["case", "kind"], name="assessment_case")]

    def __str__(self) -> str:
        return f"{self.kind} assessment {self.public_id}"

    @property
    def pep_window_open(self) -> bool:
        """PEP and PRC are due within 72 hours of a sexual assault."""
        if not self.sexual_assault_at:
            return False
        return timezone.now() - self.sexual_assault_at <= timezone.timedelta(hours=72)


class CasePlan(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = SealedTextField(_("supervisor's comment"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="plan_status")]

    def __str__(self) -> str:
        return f"plan {self.public_id}"


class Goal(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("area"), max_length=14, choices=Domain.choices)
    description = SealedTextField(_("goal"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"goal {self.pk}"


class PlanAction(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    description = SealedTextField(_("action"))
    responsible = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="plan_actions"
    )
    responsible_label = SealedTextField(_("who (if not a Kinga user)"))  # a person's name
    due_on = models.DateField(_("by when"))
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["responsible", "status", "due_on"], name="action_due")]

    def __str__(self) -> str:
        return f"action {self.pk}"


class Referral(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("refer to"),
    )
    service_type = models.CharField(_("service"), max_length=20, choices=ServiceType.choices)
    share_groups = models.JSONField(_("what the partner may see"), default=list)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    reason = SealedTextField(_("why this referral"))
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    response_due = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = SealedTextField(_("reason for declining"))
    completed_at = models.DateTimeField(null=True, blank=True)
    consent_overridden = models.BooleanField(default=False)
    override_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = SealedTextField(_("reason for overriding consent"))

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["to_organisation", "status", "case"], name="referral_to"),
            models.Index(fields=["status", "response_due"], name="referral_due"),
        ]

    def __str__(self) -> str:
        return f"referral {self.public_id}"


class Service(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("service"), max_length=20, choices=ServiceType.choices)
    sub_type = models.CharField(_("kind"), max_length=24, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="services"
    )
    provided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField(_("given on"), null=True, blank=True)
    due_on = models.DateField(_("due on (if planned)"), null=True, blank=True)
    amount_kes = models.PositiveIntegerField(_("cost (KES)"), null=True, blank=True)
    notes = SealedTextField(_("notes"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "service_type"], name="service_case"),
            models.Index(fields=["due_on"], name="service_due"),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} service {self.public_id}"


class FollowUp(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=14, choices=FollowUpKind.choices)
    happened_at = models.DateTimeField(_("when"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    child_seen = models.BooleanField(_("the child was seen or spoken to"), default=True)
    risk_before = models.CharField(max_length=8, choices=Risk.choices)
    risk_after = models.CharField(_("risk now"), max_length=8, choices=Risk.choices)
    notes = SealedTextField(_("notes"))

    class Meta:
        ordering = ["-happened_at", "-pk"]

    def __str__(self) -> str:
        return f"follow-up {self.public_id}"


class CaseConference(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    held_at = models.DateTimeField(_("held on"))
    participants = models.ManyToManyField(USER, blank=True, related_name="+")
    other_participants = SealedTextField(_("other participants"))
    decisions = SealedTextField(_("decisions"))
    actions = SealedTextField(_("actions agreed"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return f"conference {self.public_id}"


class Interview(models.Model):
    """An interview of the child about the exploitation. Tell it once: each one is logged."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interviews")
    happened_at = models.DateTimeField(_("when"))
    interviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    interviewer_label = SealedTextField(_("interviewer (if not a Kinga user)"))  # a name
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=18, choices=InterviewPurpose.choices)
    justification = SealedTextField(_("why a further interview is needed"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["happened_at", "pk"]

    def __str__(self) -> str:
        return f"interview {self.public_id}"


class Closure(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    outcome = models.CharField(_("outcome"), max_length=14, choices=ClosureOutcome.choices)
    child_safe = models.BooleanField(_("the child is safe (last check done)"), default=False)
    goals_reviewed = models.BooleanField(_("plan goals reviewed"), default=False)
    child_informed = models.BooleanField(_("child and caregiver informed"), default=False)
    note = SealedTextField(_("closing note"))
    previous_status = models.CharField(max_length=16)
    status = models.CharField(
        max_length=10, choices=ClosureStatus.choices, default=ClosureStatus.PENDING
    )
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = SealedTextField(_("supervisor's comment"))

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "requested_at"], name="closure_status")]

    def __str__(self) -> str:
        return f"closure {self.public_id}"


class Transfer(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    previous_status = models.CharField(max_length=16)
    reason = SealedTextField(_("reason"))
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    consent_overridden = models.BooleanField(default=False)
    override_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = SealedTextField(_("reason for overriding consent"))
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"transfer {self.public_id}"
