"""Shared helpers for the vault tests: fresh key rings and raw column reads."""

from __future__ import annotations

import base64

import pytest
from django.db import connection

from kinga.accounts.models import User
from kinga.accounts.roles import Role
from kinga.vault.keyring import KeyRing, new_key_text


def key_bytes() -> bytes:
    text = new_key_text()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def key_a() -> bytes:
    return key_bytes()


@pytest.fixture
def key_b() -> bytes:
    return key_bytes()


@pytest.fixture
def ring_a(key_a: bytes) -> KeyRing:
    return KeyRing(active_id="A", keys={"A": key_a})


@pytest.fixture
def ring_b_then_a(key_a: bytes, key_b: bytes) -> KeyRing:
    return KeyRing(active_id="B", keys={"B": key_b, "A": key_a})


def make_user(number: int, secret: str = "") -> User:
    return User.objects.create_user(
        f"person{number}@example.org",
        None,
        full_name=f"Person {number}",
        role=Role.CASE_WORKER,
        mfa_secret=secret,
    )


def raw_mfa_secrets() -> dict[int, str]:
    """The stored text of every user's mfa_secret, read past the ORM field."""
    meta = User._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(meta.pk.column)}, {quote('mfa_secret')} "
            f"FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}"
        )
        return dict(cursor.fetchall())
