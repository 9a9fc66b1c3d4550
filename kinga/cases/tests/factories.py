"""Helpers that walk a case through its workflow with the real services.

They build on ``kinga.core.testing.make_cast`` (the ``cast`` fixture): ``cast.org`` owns
the cases, ``cast.owner`` registers them, ``cast.supervisor`` approves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from kinga.accounts.models import Organisation, OrganisationKind, User
from kinga.accounts.roles import Role
from kinga.cases import services
from kinga.cases.codes import AssentStatus, AssessmentKind, Risk
from kinga.cases.models import Case, OrganisationService
from kinga.core.testing import make_user
from kinga.geo.models import County, SubCounty


@dataclass
class Partner:
    org: Organisation
    user: User


def kwale() -> County:
    return County.objects.get(code="002")


def partner(
    code: str = "HLT",
    kind: str = OrganisationKind.HEALTH_FACILITY,
    offers: tuple[str, ...] = ("medical",),
) -> Partner:
    org = Organisation.objects.create(name=f"Partner {code}", kind=kind, code=code)
    for service_type in offers:
        OrganisationService.objects.create(organisation=org, service_type=service_type)
    user = make_user(f"partner.{code.lower()}@p.example", Role.PARTNER, org)
    return Partner(org, user)


def county_officer(county_code: str = "002", email: str = "dcs@c.example") -> User:
    org, _ = Organisation.objects.get_or_create(
        code=f"DCS{county_code}",
        defaults={"name": f"County office {county_code}", "kind": OrganisationKind.COUNTY_OFFICE},
    )
    officer = make_user(email, Role.COUNTY_OFFICER, org)
    officer.counties.set([County.objects.get(code=county_code)])
    return officer


def register(actor: User, **overrides: Any) -> Case:
    county = overrides.pop("county", None) or kwale()
    fields: dict[str, Any] = {
        "given_name": "Mwanajuma",
        "family_name": "Baraka",
        "nickname": "Juma",
        "sex": "female",
        "birth_year": timezone.localdate().year - 14,
        "county": county,
        "sub_county": SubCounty.objects.filter(county=county).order_by("name").first(),
        "phone": "0712 345 678",
        "narrative": "Met at the beach by a volunteer.",
        "risk": Risk.HIGH,
        "categories": ["sexual_exploitation"],
    }
    fields.update(overrides)
    return services.case_register(actor=actor, **fields)


def consent(actor: User, case: Case, **overrides: Any):
    fields: dict[str, Any] = {
        "child_assent": AssentStatus.GIVEN,
        "caregiver_consent": True,
        "scope_sharing": [k.value for k in OrganisationKind],
    }
    fields.update(overrides)
    return services.consent_record(actor=actor, case=case, **fields)


def assess(actor: User, case: Case, kind: str = AssessmentKind.COMPREHENSIVE, **overrides: Any):
    case.refresh_from_db()
    fields: dict[str, Any] = {"kind": kind, "risk": case.risk, "expected_version": case.version}
    fields.update(overrides)
    return services.case_assess(actor=actor, case=case, **fields)


def plan_goals(responsible: User | None = None) -> list[dict[str, Any]]:
    return [
        {
            "domain": "education",
            "description": "Back in school by next term.",
            "actions": [
                {
                    "description": "Pay fees and buy a uniform.",
                    "responsible": responsible,
                    "responsible_label": "" if responsible else "Case worker",
                    "due_on": timezone.localdate() + timedelta(days=10),
                }
            ],
        }
    ]


def submit_plan(actor: User, case: Case):
    case.refresh_from_db()
    return services.case_plan_submit(
        actor=actor, case=case, goals=plan_goals(actor), expected_version=case.version
    )


def in_progress(cast: Any, **overrides: Any) -> Case:
    """A registered, consented, assessed case with an approved plan."""
    case = register(cast.owner, **overrides)
    consent(cast.owner, case)
    assess(cast.owner, case)
    plan = submit_plan(cast.owner, case)
    case.refresh_from_db()
    services.case_plan_approve(actor=cast.supervisor, plan=plan, expected_version=case.version)
    case.refresh_from_db()
    return case
