"""key_usage counts stored values per key id per column, in SQL, opening nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from kinga.accounts.models import User
from kinga.vault import crypto
from kinga.vault.keyring import KeyRing
from kinga.vault.status import NOT_SEALED, key_totals, key_usage, removable_key_ids
from kinga.vault.tests.conftest import make_user

pytestmark = pytest.mark.django_db
LABEL = "accounts.user.mfa_secret"


def test_it_counts_values_per_key_id(settings, ring_a: KeyRing, ring_b_then_a: KeyRing) -> None:
    settings.FIELD_KEYRING = ring_a
    make_user(1, "one")
    make_user(2, "two")
    make_user(3, "")
    settings.FIELD_KEYRING = ring_b_then_a
    make_user(4, "four")

    usage = key_usage()

    assert usage[LABEL] == {"A": 2, "B": 1}
    assert key_totals(usage)["A"] == 2
    assert removable_key_ids(usage) == []


def test_it_opens_nothing_to_count(settings, ring_a: KeyRing, key_b: bytes, monkeypatch) -> None:
    settings.FIELD_KEYRING = ring_a
    make_user(1, "one")

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("key_usage must not decrypt")

    monkeypatch.setattr(crypto, "unseal", refuse)
    settings.FIELD_KEYRING = KeyRing(active_id="B", keys={"B": key_b})
    assert key_usage()[LABEL] == {"A": 1}


def test_it_counts_stored_text_that_is_not_sealed() -> None:
    user = make_user(1, "one")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {User._meta.db_table} SET mfa_secret = %s WHERE id = %s",
            ["v1$broken", user.pk],
        )
    assert key_usage()[LABEL] == {NOT_SEALED: 1}
