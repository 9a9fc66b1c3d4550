"""Registration (minimum data first), caregivers, risk and consent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kinga.accounts.models import OrganisationKind
from kinga.accounts.roles import Action
from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record
from kinga.cases import selectors
from kinga.cases.codes import (
    OPEN_STATUSES,
    AssentStatus,
    CaseNature,
    EventKind,
    LawfulBasis,
    ReferralStatus,
    Relationship,
    ReporterType,
    Risk,
    Sex,
)
from kinga.cases.models import (
    Caregiver,
    Case,
    CaseAssignment,
    CaseCategory,
    Child,
    ChildNameToken,
    Consent,
    RiskPolicy,
    TokenKind,
)
from kinga.cases.services._common import (
    apply_risk_deadlines,
    audit,
    event,
    idempotent,
    lock_case,
    next_case_number,
    require,
    require_open,
    touch,
)
from kinga.core.errors import DomainError
from kinga.geo.models import County, SubCounty, Ward
from kinga.vault.blind import exact_index, name_tokens, phone_index

MAX_CHILD_AGE = 17
MAX_AGED_OUT_AGE = 24
CHILD_FIELDS = ("given_name", "family_name", "nickname", "phone", "location_detail", "narrative")


def _choice(value: str, choices: Any, field: str, *, blank: bool = False) -> str:
    if (blank and not value) or value in choices.values:
        return value
    raise ValidationError({field: _("Choose one of the listed options.")})


def _phone_digest(phone: str) -> str:
    try:
        return phone_index(phone)
    except ValueError:
        raise ValidationError({"phone": _("Enter a phone number with digits.")}) from None


def _store_tokens(child: Child, kind: str, text: str) -> None:
    ChildNameToken.objects.bulk_create(
        [ChildNameToken(child=child, kind=kind, token=token) for token in name_tokens(text)],
        ignore_conflicts=True,
    )


def _birth(
    *, birth_date: date | None, birth_year: int | None, age_years: int | None, today: date
) -> tuple[date | None, int | None, bool, int]:
    """(birth_date, birth_year, estimated, age today) from whatever was given."""
    if birth_date is not None:
        if birth_date > today:
            raise ValidationError({"birth_date": _("The date of birth is in the future.")})
        age = (
            today.year
            - birth_date.year
            - ((today.month, today.day) < (birth_date.month, birth_date.day))
        )
        return birth_date, birth_date.year, False, age
    if birth_year is not None:
        if birth_year > today.year:
            raise ValidationError({"birth_year": _("The year of birth is in the future.")})
        return None, birth_year, True, max(today.year - birth_year - 1, 0)
    if age_years is not None:
        if age_years < 0:
            raise ValidationError({"age_years": _("The age cannot be negative.")})
        return None, today.year - age_years, True, age_years
    raise ValidationError(
        {"birth_year": _("Give a date of birth, a year of birth or an estimated age.")}
    )


@transaction.atomic
def child_register(
    *,
    actor: Any,
    given_name: str,
    family_name: str = "",
    nickname: str = "",
    sex: str = Sex.UNKNOWN,
    birth_date: date | None = None,
    birth_year: int | None = None,
    age_years: int | None = None,
    county: County,
    sub_county: SubCounty | None = None,
    ward: Ward | None = None,
    phone: str = "",
    location_detail: str = "",
    narrative: str = "",
    aged_out: bool = False,
    request: HttpRequest | None = None,
) -> Child:
    """A child's sealed identity with its blind indexes and phonetic name tokens.

    Age 0–17 at registration; 18 or older raises ``DomainError(code="aged_out")`` unless
    ``aged_out=True`` (a young adult kept for continued services, up to 24).
    """
    require(actor, Action.CASE_REGISTER)
    if actor.organisation_id is None:
        raise PermissionDenied
    given_name, family_name, nickname = given_name.strip(), family_name.strip(), nickname.strip()
    if not (given_name or nickname):
        raise ValidationError({"given_name": _("Give the child's first name or nickname.")})
    _choice(sex, Sex, "sex")
    today = timezone.localdate()
    birth_date, birth_year, estimated, age = _birth(
        birth_date=birth_date, birth_year=birth_year, age_years=age_years, today=today
    )
    if age > MAX_CHILD_AGE and not aged_out:
        raise DomainError(
            _(
                "This person is %(age)d, so not a child any more. If they still need the "
                "programme's services, register them as aged out."
            )
            % {"age": age},
            code="aged_out",
        )
    if age > MAX_AGED_OUT_AGE:
        raise ValidationError({"birth_year": _("This person is too old for the programme.")})
    if sub_county is not None and sub_county.county_id != county.pk:
        raise ValidationError({"sub_county": _("This sub-county is not in the county chosen.")})
    if ward is not None and (sub_county is None or ward.sub_county_id != sub_county.pk):
        raise ValidationError({"ward": _("This ward is not in the sub-county chosen.")})
    child = Child.objects.create(
        organisation_id=actor.organisation_id,
        given_name=given_name,
        family_name=family_name.strip(),
        nickname=nickname,
        phone=phone.strip(),
        location_detail=location_detail.strip(),
        narrative=narrative.strip(),
        name_index=exact_index(f"{given_name} {family_name}".strip(), "child-name"),
        phone_index=_phone_digest(phone) if phone.strip() else "",
        name_token_version=1,
        sex=sex,
        birth_date=birth_date,
        birth_year=birth_year,
        birth_date_estimated=estimated,
        county=county,
        sub_county=sub_county,
        ward=ward,
        created_by=actor,
    )
    _store_tokens(child, TokenKind.NAME, f"{given_name} {family_name}")
    _store_tokens(child, TokenKind.NICKNAME, nickname)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=child,
        fields=[name for name in CHILD_FIELDS if getattr(child, name)],
        request=request,
    )
    return child


@idempotent
@transaction.atomic
def case_register(
    *,
    actor: Any,
    risk: str,
    categories: Iterable[str] = (),
    nature: str = "",
    reporter_type: str = "",
    child: Child | None = None,
    assign_to: Iterable[Any] = (),
    request: HttpRequest | None = None,
    **child_fields: Any,
) -> Case:
    """Open a case with the minimum data: who, where, why now, risk.

    Pass ``child`` to open a new case for a child already registered (found by the
    duplicate check) — the child's account is never copied. Otherwise ``child_fields``
    go to ``child_register``. A case worker who registers is assigned; a supervisor may
    name ``assign_to``; an unassigned case gets an assignment deadline by risk.
    """
    require(actor, Action.CASE_REGISTER)
    _choice(risk, Risk, "risk")
    _choice(nature, CaseNature, "nature", blank=True)
    _choice(reporter_type, ReporterType, "reporter_type", blank=True)
    codes = list(dict.fromkeys(categories))
    found = list(CaseCategory.objects.filter(code__in=codes, is_active=True))
    if len(found) != len(codes):
        raise ValidationError({"categories": _("Unknown case category.")})
    assignees = list(assign_to)
    if assignees and not actor.can(Action.CASE_ASSIGN):
        raise PermissionDenied
    for worker in assignees:
        _check_assignable(actor, worker)
    if child is None:
        child = child_register(actor=actor, request=request, **child_fields)
        aged_out = bool(child_fields.get("aged_out"))
    else:
        if child_fields:
            raise TypeError("give either child or the child's fields")
        if not selectors.cases_visible_to(actor).filter(child=child).exists():
            raise PermissionDenied
        if Case.objects.filter(child=child, status__in=list(OPEN_STATUSES)).exists():
            raise DomainError(
                _("This child already has an open case; work on that one."), code="case_open"
            )
        aged_out = (child.age_on(timezone.localdate()) or 0) > MAX_CHILD_AGE
    now = timezone.now()
    if not assignees and not actor.can(Action.CASE_ASSIGN):
        assignees = [actor]
    policy = RiskPolicy.for_risk(risk)
    case = Case.objects.create(
        number=next_case_number(actor.organisation, timezone.localdate(now).year),
        organisation_id=actor.organisation_id,
        child=child,
        risk=risk,
        nature=nature,
        reporter_type=reporter_type,
        aged_out=aged_out,
        registered_by=actor,
        updated_by=actor,
        registered_at=now,
        updated_at=now,
        first_contact_due=now + policy.first_contact,
        assessment_due=now + policy.assessment,
        plan_due=now + policy.plan,
        assignment_due=None if assignees else now + policy.assignment,
    )
    case.categories.set(found)
    CaseAssignment.objects.bulk_create(
        [CaseAssignment(case=case, user=worker, assigned_by=actor) for worker in assignees]
    )
    event(case, actor, EventKind.REGISTERED, risk=risk, categories=codes, aged_out=aged_out)
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=case,
        case=case,
        fields=["risk", "categories", "nature", "reporter_type", "child"],
        request=request,
        detail={"risk": risk, "aged_out": aged_out},
    )
    return case


def _check_assignable(actor: Any, worker: Any) -> None:
    if (
        not worker.is_active
        or worker.organisation_id != actor.organisation_id
        or not worker.can(Action.CASE_WORK)
    ):
        raise ValidationError(
            {
                "workers": _("%(name)s cannot work on this organisation's cases.")
                % {"name": worker.full_name}
            }
        )


@idempotent
@transaction.atomic
def caregiver_add(
    *,
    actor: Any,
    case: Case,
    name: str,
    relationship: str,
    phone: str = "",
    lives_with_child: bool = True,
    suspected_exploiter: bool = False,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Caregiver:
    case = require_open(actor, case, expected_version)
    _choice(relationship, Relationship, "relationship")
    if not name.strip():
        raise ValidationError({"name": _("Give the caregiver's name.")})
    caregiver = Caregiver.objects.create(
        child=case.child,
        household=case.child.household,
        name=name.strip(),
        phone=phone.strip(),
        phone_index=_phone_digest(phone) if phone.strip() else "",
        relationship=relationship,
        lives_with_child=lives_with_child,
        suspected_exploiter=suspected_exploiter,
    )
    _store_tokens(case.child, TokenKind.CAREGIVER, name)
    touch(case, actor)
    event(
        case,
        actor,
        EventKind.CAREGIVER_ADDED,
        relationship=relationship,
        suspected_exploiter=suspected_exploiter,
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=caregiver,
        case=case,
        fields=["name", "relationship", "suspected_exploiter", *(["phone"] if phone else [])],
        request=request,
    )
    return caregiver


@transaction.atomic
def case_set_risk(
    *,
    actor: Any,
    case: Case,
    risk: str,
    expected_version: int,
    categories: Iterable[str] | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Change the risk level (and categories); the deadlines it sets move with it."""
    case = require_open(actor, case, expected_version)
    _choice(risk, Risk, "risk")
    before = case.risk
    case.risk = risk
    changed = ["risk", *apply_risk_deadlines(case)]
    touch(case, actor, *changed)
    codes: list[str] = []
    if categories is not None:
        codes = list(dict.fromkeys(categories))
        found = list(CaseCategory.objects.filter(code__in=codes, is_active=True))
        if len(found) != len(codes):
            raise ValidationError({"categories": _("Unknown case category.")})
        case.categories.set(found)
    event(case, actor, EventKind.RISK_SET, before=before, after=risk, categories=codes)
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        case=case,
        fields=["risk", *(["categories"] if categories is not None else [])],
        request=request,
        detail={"before": before, "after": risk},
    )
    return case


@idempotent
@transaction.atomic
def consent_record(
    *,
    actor: Any,
    case: Case,
    child_assent: str,
    caregiver_consent: bool,
    caregiver: Caregiver | None = None,
    scope_services: bool = True,
    scope_sharing: Iterable[str] = (),
    scope_research: bool = False,
    lawful_basis: str = "",
    lawful_basis_note: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Record who agreed to what. A lawful basis (with its reason) stands in for the
    caregiver's consent when the caregiver may be the exploiter."""
    case = require_open(actor, case, expected_version)
    _choice(child_assent, AssentStatus, "child_assent")
    _choice(lawful_basis, LawfulBasis, "lawful_basis", blank=True)
    sharing = list(dict.fromkeys(scope_sharing))
    if any(kind not in OrganisationKind.values for kind in sharing):
        raise ValidationError({"scope_sharing": _("Unknown kind of organisation.")})
    if caregiver is not None and caregiver.child_id != case.child_id:
        raise ValidationError({"caregiver": _("This caregiver is not linked to the child.")})
    if caregiver_consent and caregiver is not None and caregiver.suspected_exploiter:
        raise ValidationError(
            {
                "caregiver": _(
                    "A suspected exploiter's consent cannot be used; record a lawful basis."
                )
            }
        )
    if lawful_basis and not lawful_basis_note.strip():
        raise ValidationError({"lawful_basis_note": _("Say why this lawful basis applies.")})
    consent = Consent.objects.create(
        case=case,
        child_assent=child_assent,
        caregiver_consent=caregiver_consent,
        caregiver=caregiver,
        scope_services=scope_services,
        scope_sharing=sharing,
        scope_research=scope_research,
        lawful_basis=lawful_basis,
        lawful_basis_note=lawful_basis_note.strip(),
        recorded_by=actor,
    )
    touch(case, actor)
    event(
        case,
        actor,
        EventKind.CONSENT_RECORDED,
        assent=child_assent,
        caregiver_consent=caregiver_consent,
        lawful_basis=lawful_basis,
        sharing=sharing,
        research=scope_research,
    )
    audit(
        actor=actor,
        action=AuditAction.CREATE,
        target=consent,
        case=case,
        fields=["child_assent", "caregiver_consent", "scope", "lawful_basis"],
        request=request,
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    actor: Any,
    consent: Consent,
    note: str = "",
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Withdraw consent: every consent on the case is withdrawn (an older one never
    comes back into force), and every referral still sent or accepted is cancelled, so
    partners lose access at once."""
    case = lock_case(actor, consent.case, expected_version=expected_version)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise DomainError(_("This consent was already withdrawn."), code="already_withdrawn")
    now = timezone.now()
    others = list(
        case.consents.select_for_update()
        .filter(withdrawn_at__isnull=True)
        .exclude(pk=consent.pk)
        .values_list("pk", flat=True)
    )
    consent.withdrawn_at = now
    consent.withdrawn_by = actor
    consent.withdrawal_note = note.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    if others:
        Consent.objects.filter(pk__in=others).update(withdrawn_at=now, withdrawn_by=actor)
    cancelled = case.referrals.filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED]
    ).update(status=ReferralStatus.CANCELLED, response_due=None)
    touch(case, actor)
    event(
        case,
        actor,
        EventKind.CONSENT_WITHDRAWN,
        referrals_cancelled=cancelled,
        consents_withdrawn=1 + len(others),
    )
    audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=consent,
        case=case,
        fields=["withdrawn_at"],
        request=request,
        detail={"referrals_cancelled": cancelled},
    )
    return consent
