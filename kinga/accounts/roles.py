"""Roles and what each may do: one explicit table, read by ``user_can``.

The table is the contract: tests walk it row by row. Visibility of individual
records (which case, which county) is decided by each app's selectors; this table only
says whether a role may attempt an action at all.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CHV = "chv", _("Community volunteer (CHV / VCO)")
    CASE_WORKER = "case_worker", _("Case worker")
    COUNSELLOR = "counsellor", _("Counsellor")
    SUPERVISOR = "supervisor", _("Supervisor")
    COUNTY_OFFICER = "county_officer", _("County children's officer")
    PARTNER = "partner", _("Partner (receives referrals)")
    HELPLINE_AGENT = "helpline_agent", _("Helpline agent")
    ME_OFFICER = "me_officer", _("M&E officer")
    RESEARCHER = "researcher", _("Researcher / evaluator")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    SYSTEM_ADMIN = "system_admin", _("System admin")


class Action(StrEnum):
    # Case work on identified data.
    CASE_VIEW_OWN = "case.view_own"  # records the user entered or is assigned to
    CASE_VIEW_ORG = "case.view_org"  # every case of the user's organisation
    CASE_VIEW_COUNTY = "case.view_county"  # every case in the user's counties
    CASE_REGISTER = "case.register"
    CASE_WORK = "case.work"  # assess, plan, record services and follow-ups
    CASE_ASSIGN = "case.assign"
    CASE_APPROVE = "case.approve"  # case plans and closures
    CONSENT_OVERRIDE = "consent.override"
    REFERRAL_SEND = "referral.send"
    REFERRAL_RECEIVE = "referral.receive"
    WELLBEING_SCREEN = "wellbeing.screen"
    INTAKE_CREATE = "intake.create"
    INTAKE_TRIAGE = "intake.triage"
    # Numbers.
    AGGREGATES_VIEW = "aggregates.view"
    PROGRAMME_MANAGE = "programme.manage"
    RESEARCH_ANALYSE = "research.analyse"
    EXPORT_PSEUDONYMISED = "export.pseudonymised"
    EXPORT_IDENTIFIED = "export.identified"
    # Administration.
    USERS_MANAGE = "users.manage"  # within the admin's own organisation
    ORGANISATIONS_MANAGE = "organisations.manage"
    CONFIG_MANAGE = "config.manage"
    AUDIT_VIEW_ORG = "audit.view_org"
    AUDIT_VIEW_ALL = "audit.view_all"


A = Action
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.CHV: frozenset({A.CASE_VIEW_OWN, A.INTAKE_CREATE}),
    Role.CASE_WORKER: frozenset(
        {
            A.CASE_VIEW_OWN,
            A.CASE_REGISTER,
            A.CASE_WORK,
            A.REFERRAL_SEND,
            A.INTAKE_CREATE,
            A.INTAKE_TRIAGE,
            A.EXPORT_IDENTIFIED,
        }
    ),
    Role.COUNSELLOR: frozenset({A.CASE_VIEW_OWN, A.CASE_WORK, A.WELLBEING_SCREEN, A.REFERRAL_SEND}),
    Role.SUPERVISOR: frozenset(
        {
            A.CASE_VIEW_OWN,
            A.CASE_VIEW_ORG,
            A.CASE_REGISTER,
            A.CASE_WORK,
            A.CASE_ASSIGN,
            A.CASE_APPROVE,
            A.CONSENT_OVERRIDE,
            A.REFERRAL_SEND,
            A.INTAKE_CREATE,
            A.INTAKE_TRIAGE,
            A.AGGREGATES_VIEW,
            A.EXPORT_PSEUDONYMISED,
            A.EXPORT_IDENTIFIED,
            A.AUDIT_VIEW_ORG,
        }
    ),
    Role.COUNTY_OFFICER: frozenset(
        {
            A.CASE_VIEW_OWN,
            A.CASE_VIEW_COUNTY,
            A.CASE_WORK,
            A.REFERRAL_SEND,
            A.REFERRAL_RECEIVE,
            A.INTAKE_TRIAGE,
            A.AGGREGATES_VIEW,
        }
    ),
    Role.PARTNER: frozenset({A.REFERRAL_RECEIVE}),
    Role.HELPLINE_AGENT: frozenset({A.INTAKE_CREATE}),
    Role.ME_OFFICER: frozenset(
        {A.AGGREGATES_VIEW, A.PROGRAMME_MANAGE, A.EXPORT_PSEUDONYMISED, A.RESEARCH_ANALYSE}
    ),
    Role.RESEARCHER: frozenset({A.AGGREGATES_VIEW, A.RESEARCH_ANALYSE}),
    Role.ORG_ADMIN: frozenset({A.USERS_MANAGE, A.AUDIT_VIEW_ORG, A.AGGREGATES_VIEW}),
    Role.SYSTEM_ADMIN: frozenset({A.ORGANISATIONS_MANAGE, A.CONFIG_MANAGE, A.AUDIT_VIEW_ALL}),
}

# Roles that ever see a child's identity; they must use two-factor sign-in when
# KINGA_REQUIRE_MFA is on. Administrators are included: they hold the keys to accounts.
IDENTIFIED_DATA_ROLES: frozenset[Role] = frozenset(
    role
    for role, actions in PERMISSIONS.items()
    if actions & {A.CASE_VIEW_OWN, A.REFERRAL_RECEIVE, A.INTAKE_CREATE}
) | {Role.ORG_ADMIN, Role.SYSTEM_ADMIN}


def role_can(role: str, action: Action) -> bool:
    try:
        return action in PERMISSIONS[Role(role)]
    except ValueError:
        return False
