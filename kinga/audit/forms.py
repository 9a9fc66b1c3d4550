"""The filter form above both audit lists. It reads GET parameters and never writes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from kinga.audit.models import AuditAction, AuditOutcome
from kinga.audit.selectors import AuditFilter

_TARGET_TYPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def target_type_choices(extra: str = "") -> list[tuple[str, str]]:
    """Kinga's own record types (``cases.case`` …), the audit trail itself, and
    ``extra`` — a well-formed type asked for in the URL that no model has (any more)."""
    choices = {"audit.trail": str(_("audit trail"))}
    if extra and _TARGET_TYPE.match(extra):
        choices[extra] = extra
    for model in apps.get_models():
        if model.__module__.startswith("kinga.") and model._meta.app_label != "audit":
            choices[model._meta.label_lower] = str(model._meta.verbose_name)
    ordered = sorted(choices.items(), key=lambda item: item[1].lower())
    return [("", str(_("Any")))] + [(key, label.capitalize()) for key, label in ordered]


EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})"


class AuditFilterForm(forms.Form):
    actor = ActorChoiceField(
        label=_("Who"),
        queryset=get_user_model().objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Anyone"),
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Any")), *AuditAction.choices], required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("Any")), *AuditOutcome.choices], required=False
    )
    target_type = forms.ChoiceField(label=_("Record type"), choices=(), required=False)
    target_id = forms.CharField(
        label=_("Record id"),
        required=False,
        max_length=64,
        help_text=_("The record's reference, as shown in the list."),
    )
    # Bounded so that turning a date into a range of instants cannot overflow.
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )

    def __init__(self, *args: Any, actors: Any = None, **kwargs: Any) -> None:
        """``actors``: the people the reader may pick from; ``None`` drops the field."""
        super().__init__(*args, **kwargs)
        asked = self.data.get("target_type", "") if self.is_bound else ""
        self.fields["target_type"].choices = target_type_choices(str(asked))
        if actors is None:
            del self.fields["actor"]
        else:
            self.fields["actor"].queryset = actors.order_by("full_name", "email")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        actor = data.get("actor")
        return AuditFilter(
            actor_id=actor.pk if actor is not None else None,
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            target_type=data.get("target_type") or "",
            target_id=(data.get("target_id") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
