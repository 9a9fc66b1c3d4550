"""A believable synthetic caseload for the demo organisations (never real people).

Cases are made with the real services (so they are sealed, numbered, audited and on
the timeline), walked to a spread of states, then their clocks are shifted into the
past so the task lists show overdue and due-soon work. Same seed, same caseload.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from kinga.accounts.models import Organisation, User
from kinga.accounts.roles import Role
from kinga.cases import services
from kinga.cases.codes import CATEGORIES, AssentStatus
from kinga.cases.models import Case, CaseEvent, OrganisationService
from kinga.demo import names
from kinga.geo.models import County, SubCounty

# Services each demo organisation offers (referrals go only where a service is).
OFFERS = {
    "PCS": ("school", "vocational", "psychosocial", "family_economic", "mentorship"),
    "MYH": ("psychosocial", "mentorship", "family_economic", "school"),
    "KCO": ("shelter", "legal_aid"),
    "DPU": ("police",),
    "MHC": ("medical",),
}
REFERRAL_TARGETS = (("MHC", "medical"), ("DPU", "police"), ("KCO", "shelter"))
# The state each case is walked to, with its share of the caseload.
STAGES = (
    ("registered", 0.12),
    ("assessed", 0.12),
    ("case_plan", 0.10),
    ("in_progress", 0.41),
    ("closing", 0.05),
    ("closed", 0.20),
)
TOP_CATEGORIES = [code for code, _label, parent in CATEGORIES if not parent]


def _offers() -> None:
    for code, offered in OFFERS.items():
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            continue
        for service_type in offered:
            OrganisationService.objects.get_or_create(
                organisation=organisation, service_type=service_type
            )


def _name(rng: np.random.Generator, female: bool) -> tuple[str, str]:
    given = names.GIVEN_NAMES_FEMALE if female else names.GIVEN_NAMES_MALE
    return str(rng.choice(given)), str(rng.choice(names.FAMILY_NAMES))


def _walk(rng, case: Case, stage: str, worker: User, supervisor: User, partners) -> None:
    order = [s for s, _share in STAGES]
    target = order.index(stage)

    def fresh() -> Case:
        case.refresh_from_db()
        return case

    caregiver_consents = bool(rng.random() < 0.85)
    services.consent_record(
        actor=worker,
        case=case,
        child_assent=AssentStatus.GIVEN,
        caregiver_consent=caregiver_consents,
        lawful_basis="" if caregiver_consents else "child_protection",
        lawful_basis_note="Caregiver implicated (synthetic).",
        scope_sharing=["health_facility", "police_unit", "county_office"],
    )
    if target < 1:
        return
    services.case_assess(
        actor=worker,
        case=fresh(),
        kind="comprehensive",
        risk=case.risk,
        expected_version=case.version,
        schooling=str(rng.choice(["in_school", "irregular", "out_of_school"])),
        needs_counselling=bool(rng.random() < 0.6),
    )
    if target < 2:
        return
    plan = services.case_plan_submit(
        actor=worker,
        case=fresh(),
        expected_version=case.version,
        goals=[
            {
                "domain": "education",
                "description": "Stay in school this term.",
                "actions": [
                    {
                        "description": "School visit and fees support.",
                        "responsible": worker,
                        "due_on": timezone.localdate() + timedelta(days=int(rng.integers(1, 20))),
                    }
                ],
            }
        ],
    )
    if target < 3:
        return
    services.case_plan_approve(actor=supervisor, plan=plan, expected_version=fresh().version)
    for _ in range(int(rng.integers(1, 4))):
        service_type = str(rng.choice(["school", "psychosocial", "family_economic", "mentorship"]))
        sub = {"school": "fees", "psychosocial": "individual", "family_economic": "iga"}
        services.service_record(
            actor=worker,
            case=fresh(),
            service_type=service_type,
            sub_type=sub.get(service_type, ""),
            delivered_on=timezone.localdate() - timedelta(days=int(rng.integers(0, 10))),
        )
    if rng.random() < 0.4 and partners:
        code, service_type = REFERRAL_TARGETS[int(rng.integers(0, len(REFERRAL_TARGETS)))]
        partner = partners.get(code)
        if partner is not None:
            referral = services.referral_send(
                actor=worker,
                case=fresh(),
                to_organisation=partner,
                service_type=service_type,
                share_groups=["identity", "summary", "health" if code == "MHC" else "legal"],
            )
            partner_user = User.objects.filter(organisation=partner, is_active=True).first()
            if partner_user is not None and rng.random() < 0.5:
                services.referral_accept(actor=partner_user, referral=referral)
                if target >= 4:
                    services.referral_complete(
                        actor=partner_user, referral=referral, delivered_on=timezone.localdate()
                    )
            elif target >= 4:
                services.referral_cancel(actor=worker, referral=referral)
    services.follow_up_record(
        actor=worker,
        case=fresh(),
        kind=str(rng.choice(["home_visit", "school_visit", "phone"])),
        happened_at=timezone.now() - timedelta(hours=1),
        risk_after=str(rng.choice(["high", "medium", "low"], p=[0.2, 0.4, 0.4])),
        expected_version=case.version,
    )
    if target < 4:
        return
    closure = services.case_close(
        actor=worker,
        case=fresh(),
        outcome=str(rng.choice(["goals_met", "reintegrated", "lost_contact"], p=[0.5, 0.4, 0.1])),
        child_safe=True,
        goals_reviewed=True,
        child_informed=True,
        expected_version=case.version,
    )
    if target < 5:
        return
    services.case_close_approve(actor=supervisor, closure=closure, expected_version=fresh().version)


def _age_clocks(rng, case: Case) -> None:
    """Move the case into the past so deadlines fall overdue, today or later."""
    shift = timedelta(days=int(rng.integers(0, 60)), hours=int(rng.integers(0, 24)))
    fields = {}
    for column in (
        "registered_at",
        "first_contact_due",
        "assessment_due",
        "plan_due",
        "next_follow_up_due",
        "assignment_due",
    ):
        value = getattr(case, column)
        if value is not None:
            fields[column] = value - shift
    Case.objects.filter(pk=case.pk).update(**fields)
    CaseEvent.objects.filter(case=case).update(at=timezone.now() - shift)


@transaction.atomic
def load_demo_cases(*, seed: int = 2026, per_organisation: int = 150) -> int:
    """Create the demo caseload once; returns how many cases were made."""
    _offers()
    rng = np.random.default_rng(seed + 1)
    partners = {code: Organisation.objects.filter(code=code).first() for code in OFFERS}
    made = 0
    for code in ("PCS", "MYH"):
        organisation = partners.get(code)
        if organisation is None or Case.objects.filter(organisation=organisation).exists():
            continue
        workers = list(User.objects.filter(organisation=organisation, role=Role.CASE_WORKER))
        supervisor = User.objects.filter(organisation=organisation, role=Role.SUPERVISOR).first()
        if not workers or supervisor is None:
            continue
        counties = list(County.objects.filter(organisation=organisation))
        shares = np.array([share for _stage, share in STAGES])
        for _ in range(per_organisation):
            county = counties[int(rng.integers(0, len(counties)))]
            sub_counties = list(SubCounty.objects.filter(county=county))
            female = bool(rng.random() < 0.75)
            given, family = _name(rng, female)
            worker = workers[int(rng.integers(0, len(workers)))]
            case = services.case_register(
                actor=worker,
                given_name=given,
                family_name=family,
                sex="female" if female else "male",
                age_years=int(rng.integers(9, 18)),
                county=county,
                sub_county=sub_counties[int(rng.integers(0, len(sub_counties)))]
                if sub_counties
                else None,
                narrative="Synthetic demo case.",
                risk=str(rng.choice(["high", "medium", "low"], p=[0.3, 0.4, 0.3])),
                categories=[str(rng.choice(TOP_CATEGORIES))],
            )
            stage = str(rng.choice([s for s, _ in STAGES], p=shares / shares.sum()))
            _walk(rng, case, stage, worker, supervisor, partners)
            case.refresh_from_db()
            _age_clocks(rng, case)
            made += 1
    return made


__all__ = ["load_demo_cases"]
