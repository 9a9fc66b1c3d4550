"""Reads for exports. Who may export what is decided here, on top of
``kinga.cases.selectors`` (which alone decides who sees which case).

* The identified case summary: a user with ``EXPORT_IDENTIFIED`` who sees the case in
  full (its own team, supervisor or county oversight) — never a referral partner, who
  sees only a share profile. Anything else is the same ``Http404`` as a missing case.
* The pseudonymised case list: a user with ``EXPORT_PSEUDONYMISED`` (supervisor, M&E
  officer), for the cases their organisation owns. It carries no name, phone, exact
  location or free text; a child appears under a pseudonym (see ``pseudonym``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kinga.accounts.roles import Action
from kinga.cases import selectors
from kinga.cases.codes import CATEGORY_LABELS, ClosureStatus
from kinga.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CasePlan,
    Closure,
    Consent,
    FollowUp,
    Interview,
    Referral,
    Service,
)
from kinga.vault.crypto import blind_index

PSEUDONYM_PURPOSE = "export-pseudonym"

# -- the identified case summary -----------------------------------------------------------


def case_for_summary_export(user: Any, public_id: object) -> Case:
    """The case if ``user`` may export its identified summary, else ``Http404``."""
    if not (getattr(user, "is_authenticated", False) and user.can(Action.EXPORT_IDENTIFIED)):
        raise Http404
    case = selectors.case_get_for(user, public_id)
    if not selectors.case_access(user, case).full:
        raise Http404  # a referral partner: share profile only, never an export
    return case


@dataclass
class CaseSummary:
    """Everything the PDF prints, read in a fixed number of queries."""

    case: Case
    age: int | None
    categories: list[str]
    workers: list[str]
    caregivers: list[Any]
    consents: list[Consent]
    assessments: list[Assessment]
    plans: list[CasePlan]
    services: list[Service]
    referrals: list[Referral]
    follow_ups: list[FollowUp]
    interviews: list[Interview]
    conferences: list[Any]
    closures: list[Closure]
    timeline: list[CaseEvent] = field(default_factory=list)

    #: Field groups and records the summary contains (the audit event names these).
    GROUPS = (
        "identity",
        "summary",
        "family",
        "health",
        "education",
        "mental_health",
        "legal",
        "consent",
        "plan",
        "services",
        "referrals",
        "follow_ups",
        "interviews",
        "closure",
        "timeline",
    )


def case_summary(case: Case) -> CaseSummary:
    """The case's record for the file. Deliberately left out (read them in Kinga): the
    child's account and every other free-text note, phone numbers and exact location."""
    return CaseSummary(
        case=case,
        age=case.child.age_on(timezone.localdate()),
        categories=[str(CATEGORY_LABELS.get(c.code, c.label)) for c in case.categories.all()],
        workers=[a.user.full_name for a in case.assignments.select_related("user")],
        caregivers=list(case.child.caregivers.order_by("created_at", "pk")),
        consents=list(case.consents.select_related("recorded_by").order_by("recorded_at", "pk")),
        assessments=list(case.assessments.select_related("assessed_by")),
        plans=list(selectors.plans_for(case).select_related("created_by", "decided_by")),
        services=list(
            case.services.select_related("provided_by", "organisation").order_by(
                "recorded_at", "pk"
            )
        ),
        referrals=list(
            case.referrals.select_related("to_organisation", "from_organisation").order_by(
                "sent_at", "pk"
            )
        ),
        follow_ups=list(case.follow_ups.select_related("by").order_by("happened_at", "pk")),
        interviews=list(case.interviews.select_related("interviewer", "organisation")),
        conferences=list(case.conferences.order_by("held_at", "pk")),
        closures=list(case.closures.select_related("requested_by", "decided_by")),
        timeline=list(selectors.timeline_for(case)),
    )


# -- the pseudonymised case list -----------------------------------------------------------


def may_export_pseudonymised(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.organisation_id
        and user.can(Action.EXPORT_PSEUDONYMISED)
    )


def cases_for_pseudonymised_export(user: Any) -> QuerySet[Case]:
    """The organisation's cases, for a user allowed pseudonymised exports; else none."""
    if not may_export_pseudonymised(user):
        return Case.objects.none()
    return Case.objects.filter(organisation_id=user.organisation_id)


def pseudonym(organisation_id: int, child_public_id: object) -> str:
    """A stable pseudonym for a child in one organisation's exports.

    An HMAC (the blind-index key) of the child's internal id — not of the case number,
    which is printed on paper files and letters and so would let anyone holding the file
    re-identify a row; and per child, so a reopened child's cases line up. The
    organisation is part of the message, so two organisations' exports cannot be joined
    on it. Without the key the pseudonym cannot be reversed or recomputed.
    """
    digest = blind_index(f"{organisation_id}:{child_public_id}", purpose=PSEUDONYM_PURPOSE)
    return f"P-{digest[:12].upper()}"


AGE_BANDS = ((0, 4, "0-4"), (5, 9, "5-9"), (10, 14, "10-14"), (15, 17, "15-17"))


def age_band(birth_date: date | None, birth_year: int | None, on: date) -> str:
    if birth_date:
        age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    elif birth_year:
        age = max(on.year - birth_year - 1, 0)
    else:
        return ""
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "18+"


def _month(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m") if value else ""


def _count(model: type, **extra: Any) -> Coalesce:
    rows = (
        model.objects.filter(case=OuterRef("pk"), **extra)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


PSEUDONYMISED_COLUMNS = (
    "pseudonym",
    "age_band_at_registration",
    "sex",
    "county",
    "sub_county",
    "risk",
    "categories",
    "status",
    "registered_month",
    "closed_month",
    "closure_outcome",
    "services",
    "referrals",
    "follow_ups",
    "research_consent",
)


def pseudonymised_rows(user: Any) -> list[dict[str, Any]]:
    """One row per case of the organisation, in two queries (cases with their counts,
    then the categories). No names, phones, exact location, narrative or exact dates."""
    cases = cases_for_pseudonymised_export(user)
    approved_outcome = Closure.objects.filter(
        case=OuterRef("pk"), status=ClosureStatus.APPROVED
    ).order_by("-decided_at", "-pk")
    research = Consent.objects.filter(
        case=OuterRef("pk"), withdrawn_at__isnull=True, scope_research=True
    )
    rows = list(
        cases.annotate(
            n_services=_count(Service),
            n_referrals=_count(Referral),
            n_follow_ups=_count(FollowUp),
            outcome=Subquery(approved_outcome.values("outcome")[:1]),
            research=Exists(research),
        )
        .order_by("registered_at", "pk")
        .values(
            "pk",
            "status",
            "risk",
            "registered_at",
            "closed_at",
            "organisation_id",
            "n_services",
            "n_referrals",
            "n_follow_ups",
            "outcome",
            "research",
            "child__public_id",
            "child__sex",
            "child__birth_date",
            "child__birth_year",
            "child__county__name",
            "child__sub_county__name",
        )
    )
    categories: dict[int, list[str]] = defaultdict(list)
    if rows:
        through = Case.categories.through.objects.filter(case__in=cases).order_by(
            "casecategory__sort_order", "casecategory__code"
        )
        for case_id, code in through.values_list("case_id", "casecategory__code"):
            categories[case_id].append(code)
    out = []
    for row in rows:
        registered = timezone.localdate(row["registered_at"])
        out.append(
            {
                "pseudonym": pseudonym(row["organisation_id"], row["child__public_id"]),
                "age_band_at_registration": age_band(
                    row["child__birth_date"], row["child__birth_year"], registered
                ),
                "sex": row["child__sex"],
                "county": row["child__county__name"] or "",
                "sub_county": row["child__sub_county__name"] or "",
                "risk": row["risk"],
                "categories": ";".join(categories.get(row["pk"], [])),
                "status": row["status"],
                "registered_month": _month(row["registered_at"]),
                "closed_month": _month(row["closed_at"]),
                "closure_outcome": row["outcome"] or "",
                "services": row["n_services"],
                "referrals": row["n_referrals"],
                "follow_ups": row["n_follow_ups"],
                "research_consent": "yes" if row["research"] else "no",
            }
        )
    return out
