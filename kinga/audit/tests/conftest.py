"""A fixed cast for the audit tests, built afresh for every test.

Two organisations; an organisation admin in each; a supervisor and a case worker in
the first; a system admin who belongs to none.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from kinga.accounts.models import Organisation, OrganisationKind, User
from kinga.accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"

_migration = importlib.import_module("kinga.audit.migrations.0002_append_only")


def _user(email: str, name: str, role: Role, organisation: Organisation | None) -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, full_name=name, role=role, organisation=organisation
    )


@pytest.fixture
def pwani(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Pwani Child Rights Network", kind=OrganisationKind.NGO, code="PCR"
    )


@pytest.fixture
def kwale_office(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Kwale Children's Office", kind=OrganisationKind.COUNTY_OFFICE, code="KWL"
    )


@pytest.fixture
def pwani_admin(pwani: Organisation) -> User:
    return _user("amina@pwani.example", "Amina Mwinyi", Role.ORG_ADMIN, pwani)


@pytest.fixture
def pwani_supervisor(pwani: Organisation) -> User:
    return _user("said@pwani.example", "Said Bakari", Role.SUPERVISOR, pwani)


@pytest.fixture
def worker(pwani: Organisation) -> User:
    return _user("zawadi@pwani.example", "Zawadi Kahindi", Role.CASE_WORKER, pwani)


@pytest.fixture
def kwale_admin(kwale_office: Organisation) -> User:
    return _user("baraka@kwale.example", "Baraka Mwadime", Role.ORG_ADMIN, kwale_office)


@pytest.fixture
def kwale_worker(kwale_office: Organisation) -> User:
    return _user("neema@kwale.example", "Neema Chende", Role.CASE_WORKER, kwale_office)


@pytest.fixture
def sysadmin(db: None) -> User:
    return _user("root@kinga.example", "Otieno Sysadmin", Role.SYSTEM_ADMIN, None)


@contextmanager
def append_only_triggers_off() -> Iterator[None]:
    """Lift the database's append-only triggers, as an intruder with DDL rights could.

    Used only to simulate tampering, inside a test's transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; PostgreSQL will not ALTER a table with
            # constraint checks still pending, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:
            for statement in _migration.SQLITE_REMOVE:
                cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only"
                )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for statement in _migration.SQLITE_INSTALL:
                    cursor.execute(statement)


@pytest.fixture
def triggers_off() -> type[append_only_triggers_off]:
    return append_only_triggers_off  # type: ignore[return-value]
