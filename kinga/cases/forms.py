"""Input validation for the case pages. Each action form carries the case version it
was drawn from (optimistic concurrency) and a one-time token (idempotent submits)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kinga.accounts.models import Organisation, User
from kinga.accounts.roles import PERMISSIONS, Action
from kinga.cases.codes import (
    CATEGORIES,
    AssentStatus,
    AssessmentKind,
    ClosureOutcome,
    Domain,
    FollowUpKind,
    IncomeBand,
    InterviewPurpose,
    LawfulBasis,
    ReferralStatus,
    Relationship,
    Risk,
    Schooling,
    ServiceType,
    Sex,
    ShareGroup,
)
from kinga.cases.models import Referral
from kinga.geo.models import County, SubCounty


class ActionForm(forms.Form):
    #: Required: a page form drawn from one version of the case never overwrites another.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, version: int | None = None, case: Any = None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expected_version", version)
        kwargs["initial"].setdefault("form_token", uuid.uuid4().hex)
        self.case = case
        super().__init__(*args, **kwargs)


def _roles_that(action: Action) -> list[str]:
    return [role.value for role, actions in PERMISSIONS.items() if action in actions]


def _people(case: Any, action: Action):
    """Active people of the case's organisation whose role allows ``action``."""
    if case is None:
        return User.objects.none()
    return User.objects.filter(
        organisation_id=case.organisation_id, is_active=True, role__in=_roles_that(action)
    ).order_by("full_name")


class RegisterForm(ActionForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # no case yet
    given_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    family_name = forms.CharField(label=_("Other names"), max_length=100, required=False)
    nickname = forms.CharField(label=_("Nickname or name used"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.FEMALE)
    age_years = forms.IntegerField(label=_("Age (estimate if unknown)"), min_value=0, max_value=30)
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.all())
    sub_county = forms.ModelChoiceField(
        label=_("Sub-county"), queryset=SubCounty.objects.all(), required=False
    )
    phone = forms.CharField(label=_("Phone (if the child has one)"), max_length=40, required=False)
    narrative = forms.CharField(
        label=_("Why now: what happened, in a few words"), widget=forms.Textarea, required=False
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices)
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=[(code, label) for code, label, _parent in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    aged_out = forms.BooleanField(
        label=_("Register as aged out (18 or older) for continued services"), required=False
    )
    confirm_new = forms.BooleanField(
        label=_("I checked the possible duplicates: this is a different child"), required=False
    )


class ConsentForm(ActionForm):
    child_assent = forms.ChoiceField(label=_("Child's assent"), choices=AssentStatus.choices)
    caregiver_consent = forms.BooleanField(label=_("Caregiver consented"), required=False)
    scope_services = forms.BooleanField(label=_("For services"), required=False, initial=True)
    scope_sharing = forms.MultipleChoiceField(
        label=_("Sharing with these kinds of organisation"),
        choices=Organisation._meta.get_field("kind").choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    scope_research = forms.BooleanField(label=_("Pseudonymised research"), required=False)
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis without caregiver consent"),
        choices=[("", "—"), *LawfulBasis.choices[1:]],
        required=False,
    )
    lawful_basis_note = forms.CharField(
        label=_("Why this basis applies"), widget=forms.Textarea, required=False
    )


class AssessForm(ActionForm):
    kind = forms.ChoiceField(label=_("Assessment"), choices=AssessmentKind.choices)
    risk = forms.ChoiceField(label=_("Risk now"), choices=Risk.choices)
    sexual_assault_at = forms.DateTimeField(
        label=_("Last sexual assault, if within days (PEP/PRC within 72 h)"), required=False
    )
    schooling = forms.ChoiceField(
        label=_("Schooling"), choices=[("", "—"), *Schooling.choices], required=False
    )
    needs_counselling = forms.BooleanField(label=_("Needs counselling"), required=False)
    needs_shelter = forms.BooleanField(label=_("Needs a safe place now"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class PlanForm(ActionForm):
    domain = forms.ChoiceField(label=_("Area"), choices=Domain.choices)
    goal = forms.CharField(label=_("Goal"), max_length=500)
    action = forms.CharField(label=_("First action"), max_length=500)
    responsible_label = forms.CharField(label=_("Who"), max_length=80)
    due_on = forms.DateField(label=_("By when"), widget=forms.DateInput(attrs={"type": "date"}))


class DecisionForm(ActionForm):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False)


class ServiceForm(ActionForm):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    sub_type = forms.CharField(label=_("Kind (optional)"), max_length=24, required=False)
    delivered_on = forms.DateField(
        label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class ReferForm(ActionForm):
    to_organisation = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organisation.objects.filter(is_active=True)
    )
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    share_groups = forms.MultipleChoiceField(
        label=_("What the partner may see"),
        choices=ShareGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(label=_("Why this referral"), widget=forms.Textarea, required=False)
    consent_override_reason = forms.CharField(
        label=_("Supervisor only: reason to override missing consent"),
        widget=forms.Textarea,
        required=False,
    )


class FollowUpForm(ActionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUpKind.choices)
    happened_at = forms.DateTimeField(label=_("When"))
    risk_after = forms.ChoiceField(label=_("Risk now"), choices=Risk.choices)
    child_seen = forms.BooleanField(
        label=_("Child seen or spoken to"), required=False, initial=True
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class CloseForm(ActionForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *ClosureOutcome.choices], required=False
    )
    child_safe = forms.BooleanField(label=_("Last check: the child is safe"), required=False)
    goals_reviewed = forms.BooleanField(label=_("Plan goals reviewed"), required=False)
    child_informed = forms.BooleanField(label=_("Child and caregiver informed"), required=False)
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea, required=False)


class RiskForm(ActionForm):
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices)
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=[(code, label) for code, label, _parent in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case is not None:
            self.fields["risk"].initial = self.case.risk
            self.fields["categories"].initial = list(
                self.case.categories.values_list("code", flat=True)
            )


class WithdrawConsentForm(ActionForm):
    note = forms.CharField(
        label=_("Who withdrew consent, and how"), widget=forms.Textarea, required=False
    )


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        service, status = obj.get_service_type_display(), obj.get_status_display()
        return f"{obj.to_organisation.name} — {service} ({status})"


class CancelReferralForm(ActionForm):
    """The referring team ends a referral still sent or accepted: the partner's access ends."""

    referral = ReferralChoiceField(label=_("Referral to cancel"), queryset=Referral.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.case is not None:
            self.fields["referral"].queryset = (
                self.case.referrals.filter(
                    status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]
                )
                .select_related("to_organisation")
                .order_by("-sent_at")
            )


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)


class CompleteForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Service given on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sub_type = forms.CharField(label=_("Kind (optional)"), max_length=24, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class CaregiverForm(ActionForm):
    name = forms.CharField(label=_("Caregiver's name"), max_length=200)
    relationship = forms.ChoiceField(
        label=_("Relationship to the child"), choices=Relationship.choices
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    lives_with_child = forms.BooleanField(
        label=_("Lives with the child"), required=False, initial=True
    )
    suspected_exploiter = forms.BooleanField(
        label=_("Suspected of exploiting the child"),
        required=False,
        help_text=_("Hides the case from this person everywhere: no SMS or calls about it."),
    )


class InterviewForm(ActionForm):
    happened_at = forms.DateTimeField(label=_("When"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=InterviewPurpose.choices)
    interviewer_label = forms.CharField(
        label=_("Interviewer, if not you (name and role)"), max_length=80, required=False
    )
    justification = forms.CharField(
        label=_("Why a further interview is needed"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Required when the child has been interviewed before."),
    )


class ConferenceForm(ActionForm):
    held_at = forms.DateTimeField(label=_("Held on"))
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants from the organisation"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_participants = forms.CharField(
        label=_("Other participants (name, role, organisation)"),
        widget=forms.Textarea,
        required=False,
    )
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea)
    actions = forms.CharField(label=_("Actions agreed"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = _people(self.case, Action.CASE_WORK)


class AssignForm(ActionForm):
    workers = forms.ModelMultipleChoiceField(
        label=_("Workers"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = _people(self.case, Action.CASE_WORK)
        self.fields["supervisor"].queryset = _people(self.case, Action.CASE_APPROVE)
        if self.case is not None and not self.is_bound:
            self.initial.setdefault(
                "workers", list(self.case.assignments.values_list("user_id", flat=True))
            )
            self.initial.setdefault("supervisor", self.case.supervisor_id)


class TransferForm(ActionForm):
    to_organisation = forms.ModelChoiceField(
        label=_("Transfer to"), queryset=Organisation.objects.none()
    )
    reason = forms.CharField(label=_("Why the case is transferred"), widget=forms.Textarea)
    consent_override_reason = forms.CharField(
        label=_("Supervisor only: reason to override missing consent"),
        widget=forms.Textarea,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(is_active=True).order_by("name")
        if self.case is not None:
            orgs = orgs.exclude(pk=self.case.organisation_id)
        self.fields["to_organisation"].queryset = orgs


class HouseholdForm(ActionForm):
    members = forms.IntegerField(
        label=_("People in the household"), min_value=1, max_value=60, required=False
    )
    income_band = forms.ChoiceField(
        label=_("Household income"), choices=[("", "—"), *IncomeBand.choices], required=False
    )
    income_source = forms.CharField(label=_("Main income source"), max_length=100, required=False)
    in_savings_group = forms.BooleanField(label=_("In a savings group"), required=False)
    receives_cash_transfer = forms.BooleanField(label=_("Receives a cash transfer"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        household = getattr(getattr(self.case, "child", None), "household", None)
        if household is not None and not self.is_bound:
            for name in self.fields:
                if hasattr(household, name):
                    self.initial.setdefault(name, getattr(household, name))
