"""A deterministic synthetic demo: fictional organisations, one user per role, and
(as the case apps arrive) children and cases. Same seed, same data.

All organisations are flagged ``is_demo`` and named "(Demo)"; every email is under
``demo.kinga.example`` (a reserved domain that can never reach a real inbox).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction

from kinga.accounts.models import Organisation, OrganisationKind, User
from kinga.accounts.roles import Role
from kinga.demo import names
from kinga.demo.cases import load_demo_cases
from kinga.demo.research import load_kap_survey
from kinga.geo.models import County, SubCounty

DEMO_PASSWORD = "kinga-demo-2026"
EMAIL_DOMAIN = "demo.kinga.example"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    code: str
    county_codes: tuple[str, ...]


ORGANISATIONS = (
    DemoOrganisation(
        "Pwani Child Safe Network (Demo)", OrganisationKind.NGO, "PCS", ("002", "003")
    ),
    DemoOrganisation("Mombasa Youth Hope (Demo)", OrganisationKind.NGO, "MYH", ("001",)),
    DemoOrganisation(
        "Kwale County Children's Office (Demo)", OrganisationKind.COUNTY_OFFICE, "KCO", ("002",)
    ),
    DemoOrganisation(
        "Diani Police Child Protection Unit (Demo)", OrganisationKind.POLICE_UNIT, "DPU", ("002",)
    ),
    DemoOrganisation(
        "Msambweni Health Centre (Demo)", OrganisationKind.HEALTH_FACILITY, "MHC", ("002",)
    ),
    DemoOrganisation(
        "Coast Helpline Desk (Demo)", OrganisationKind.HELPLINE, "CHD", ("001", "002", "003")
    ),
    DemoOrganisation(
        "Coast Evaluation Team (Demo)", OrganisationKind.NGO, "CET", ("001", "002", "003")
    ),
)

# role → (login name, organisation code or None, county codes covered, sub-counties covered)
USERS: tuple[tuple[str, str, str | None, tuple[str, ...], tuple[str, ...]], ...] = (
    (Role.CHV, "chv", "PCS", ("002",), ("Msambweni",)),
    (Role.CASE_WORKER, "caseworker", "PCS", ("002",), ("Msambweni", "Lunga Lunga")),
    (Role.CASE_WORKER, "caseworker.kilifi", "PCS", ("003",), ("Kilifi North", "Malindi")),
    (Role.COUNSELLOR, "counsellor", "PCS", ("002",), ()),
    (Role.SUPERVISOR, "supervisor", "PCS", ("002", "003"), ()),
    (Role.ORG_ADMIN, "orgadmin", "PCS", (), ()),
    (Role.CASE_WORKER, "caseworker.mombasa", "MYH", ("001",), ("Jomvu", "Kisauni", "Changamwe")),
    (Role.SUPERVISOR, "supervisor.mombasa", "MYH", ("001",), ()),
    (Role.COUNTY_OFFICER, "countyofficer", "KCO", ("002",), ()),
    (Role.PARTNER, "partner", "MHC", ("002",), ()),
    (Role.HELPLINE_AGENT, "helpline", "CHD", (), ()),
    (Role.ME_OFFICER, "me", "PCS", ("002", "003"), ()),
    (Role.RESEARCHER, "researcher", "CET", ("001", "002", "003"), ()),
    (Role.SYSTEM_ADMIN, "sysadmin", None, (), ()),
)


def demo_email(login: str) -> str:
    return f"{login}@{EMAIL_DOMAIN}"


def _person_name(rng: np.random.Generator) -> str:
    given = names.GIVEN_NAMES_FEMALE if rng.random() < 0.6 else names.GIVEN_NAMES_MALE
    return f"{rng.choice(given)} {rng.choice(names.FAMILY_NAMES)}"


def demo_is_loaded() -> bool:
    return Organisation.objects.filter(is_demo=True).exists()


@transaction.atomic
def load_demo(
    *, seed: int = 2026, if_empty: bool = False, cases_per_organisation: int = 200
) -> dict[str, int]:
    """Create (or top up) the demo. Safe to run twice: existing rows are kept."""
    if if_empty and demo_is_loaded():
        return {"organisations": 0, "users": 0}
    rng = np.random.default_rng(seed)
    counties = {county.code: county for county in County.objects.all()}
    created = {"organisations": 0, "users": 0}
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisation, made = Organisation.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "kind": spec.kind, "is_demo": True}
        )
        organisation.counties.set([counties[code] for code in spec.county_codes])
        organisations[spec.code] = organisation
        created["organisations"] += made
    for role, login, org_code, county_codes, sub_county_names in USERS:
        full_name = _person_name(rng)  # drawn even when the user exists: keeps later draws stable
        email = demo_email(login)
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            full_name=full_name,
            role=role,
            organisation=organisations.get(org_code) if org_code else None,
            is_staff=role == Role.SYSTEM_ADMIN,
            is_superuser=role == Role.SYSTEM_ADMIN,
        )
        user.counties.set([counties[code] for code in county_codes])
        user.sub_counties.set(
            SubCounty.objects.filter(name__in=sub_county_names, county__code__in=county_codes)
        )
        created["users"] += 1
    analyst = User.objects.get(email=demo_email("me"))
    created["survey_datasets"] = int(load_kap_survey(analyst=analyst, rng=rng) is not None)
    created["cases"] = load_demo_cases(seed=seed, per_organisation=cases_per_organisation)
    return created


def print_logins() -> None:
    print("\nDemo logins (every person and case in the demo is invented):")
    print(f"  password for all: {DEMO_PASSWORD}")
    for role, login, _org, _, _ in USERS:
        label = str(Role(role).label)
        print(f"  {label:<34} {demo_email(login)}")
    print()
