"""Readable, translated labels for the case page's field keys (``{{ key|field_label }}``)."""

from __future__ import annotations

from django import template
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

register = template.Library()

#: One label per key that ``kinga.cases.selectors.case_view_for`` puts in a section.
FIELD_LABELS = {
    # identity
    "given_name": _("First name"),
    "family_name": _("Other names"),
    "nickname": _("Nickname or name used"),
    "sex": _("Sex"),
    "birth_year": _("Year of birth"),
    "age": _("Age"),
    # contact
    "phone": _("Phone"),
    "location_detail": _("Exact location"),
    "county": _("County"),
    "sub_county": _("Sub-county"),
    "ward": _("Ward"),
    # summary
    "status": _("Status"),
    "risk": _("Risk"),
    "categories": _("Categories"),
    "registered_at": _("Registered"),
    # narrative
    "narrative": _("The child's account"),
    # health
    "sexual_assault_at": _("Last sexual assault"),
    "pep_given": _("PEP given"),
    "prc_done": _("PRC form completed"),
    "pregnant": _("Pregnant"),
    "health_needs": _("Other health needs"),
    # education
    "schooling": _("Schooling"),
    # mental health
    "distress_signs": _("Signs of distress"),
    "needs_counselling": _("Needs counselling"),
    # family
    "caregivers": _("Caregivers"),
    # legal
    "reported_to_police": _("Reported to police"),
    "court_case": _("Court case"),
}


@register.filter
def field_label(key: str) -> str:
    """The translated label; an unknown key is shown readably, never as ``Snake_case``."""
    label = FIELD_LABELS.get(key)
    if label is not None:
        return str(label)
    return capfirst(str(key).replace("_", " "))
