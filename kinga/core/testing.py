"""A fixed cast for tests, built once per test: who owns, who is a colleague, who is
an outsider. Every feature's tests use it to prove outsiders are refused."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from kinga.accounts.models import Organisation, OrganisationKind, User
from kinga.accounts.roles import Role
from kinga.geo.models import County

PASSWORD = "a-long-test-password-9"


@dataclass
class Cast:
    org: Organisation
    other_org: Organisation
    owner: User  # a case worker in org
    colleague: User  # another case worker in org
    supervisor: User
    org_admin: User
    me_officer: User
    outsider: User  # a case worker in other_org
    other_admin: User  # org admin of other_org
    sysadmin: User


def make_user(email: str, role: str, organisation: Organisation | None, **extra: object) -> User:
    return User.objects.create_user(
        email,
        PASSWORD,
        full_name=email.split("@")[0].replace(".", " ").title(),
        role=role,
        organisation=organisation,
        **extra,
    )


def make_cast() -> Cast:
    kwale = County.objects.get(code="002")
    org = Organisation.objects.create(name="Test NGO", kind=OrganisationKind.NGO, code="TST")
    org.counties.add(kwale)
    other = Organisation.objects.create(name="Other NGO", kind=OrganisationKind.NGO, code="OTH")
    return Cast(
        org=org,
        other_org=other,
        owner=make_user("owner@t.example", Role.CASE_WORKER, org),
        colleague=make_user("colleague@t.example", Role.CASE_WORKER, org),
        supervisor=make_user("supervisor@t.example", Role.SUPERVISOR, org),
        org_admin=make_user("admin@t.example", Role.ORG_ADMIN, org),
        me_officer=make_user("me@t.example", Role.ME_OFFICER, org),
        outsider=make_user("outsider@o.example", Role.CASE_WORKER, other),
        other_admin=make_user("admin@o.example", Role.ORG_ADMIN, other),
        sysadmin=make_user("sys@k.example", Role.SYSTEM_ADMIN, None, is_staff=True),
    )


def client_for(user: User) -> Client:
    """A client signed in as ``user``, past two-factor (as after a full sign-in)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["kinga_mfa_ok"] = True
    session.save()
    return client
