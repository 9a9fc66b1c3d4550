"""Rotation re-seals every value under the active key, resumably and without leaks."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinga.accounts.models import User
from kinga.vault import rotation
from kinga.vault.crypto import key_id_of, seal
from kinga.vault.inventory import sealed_columns
from kinga.vault.keyring import KeyRing
from kinga.vault.status import key_usage, removable_key_ids
from kinga.vault.tests.conftest import make_user, raw_mfa_secrets

pytestmark = pytest.mark.django_db

LABEL = "accounts.user.mfa_secret"


def secret(number: int) -> str:
    return f"SECRETVALUE{number:04d}XYZ"


@pytest.fixture
def sealed_under_a(settings, ring_a: KeyRing) -> dict[int, str]:
    """Five users with secrets sealed under key A, one without a secret."""
    settings.FIELD_KEYRING = ring_a
    users = {make_user(n, secret(n)).pk: secret(n) for n in range(5)}
    make_user(99, "")
    return users


def test_it_finds_every_sealed_column_once() -> None:
    labels = [column.label for column in sealed_columns()]
    assert LABEL in labels
    assert len(labels) == len(set(labels))


def test_it_reseals_every_value_under_the_new_key(
    settings, sealed_under_a: dict[int, str], ring_b_then_a: KeyRing
) -> None:
    assert {key_id_of(v) for v in raw_mfa_secrets().values() if v} == {"A"}
    settings.FIELD_KEYRING = ring_b_then_a

    report = rotation.rotate_keys(batch_size=2)

    assert report.complete and report.unreadable == 0
    assert report.fields[LABEL].resealed == 5
    raw = raw_mfa_secrets()
    assert {key_id_of(v) for v in raw.values() if v} == {"B"}
    assert sorted(v for v in raw.values() if not v) == [""]
    for pk, plain in sealed_under_a.items():
        assert User.objects.get(pk=pk).mfa_secret == plain
        assert plain not in raw[pk]
    # With only B the values still open: A is no longer needed.
    settings.FIELD_KEYRING = KeyRing(active_id="B", keys={"B": ring_b_then_a.keys["B"]})
    assert {u.mfa_secret for u in User.objects.all()} - {""} == set(sealed_under_a.values())


def test_it_resumes_after_an_interruption(
    settings, sealed_under_a: dict[int, str], ring_b_then_a: KeyRing
) -> None:
    settings.FIELD_KEYRING = ring_b_then_a

    first = rotation.rotate_keys(batch_size=1, max_batches=2)
    assert not first.complete and first.batches == 2
    assert first.fields[LABEL].resealed == 2
    assert key_usage()[LABEL] == {"A": 3, "B": 2}

    second = rotation.rotate_keys(batch_size=1)
    assert second.complete
    assert second.fields[LABEL].resealed == 3  # the two done before are skipped
    assert key_usage()[LABEL] == {"B": 5}

    third = rotation.rotate_keys(batch_size=1)
    assert third.fields[LABEL].resealed == 0 and third.batches == 0
    assert {u.pk: u.mfa_secret for u in User.objects.all() if u.mfa_secret} == sealed_under_a


def test_it_writes_nothing_on_a_dry_run(
    settings, sealed_under_a: dict[int, str], ring_b_then_a: KeyRing
) -> None:
    settings.FIELD_KEYRING = ring_b_then_a
    before = raw_mfa_secrets()
    report = rotation.rotate_keys(dry_run=True, batch_size=2)
    assert report.fields[LABEL].resealed == 5 and report.complete
    assert raw_mfa_secrets() == before


def test_it_never_logs_or_prints_values(
    settings, sealed_under_a: dict[int, str], ring_b_then_a: KeyRing, caplog
) -> None:
    settings.FIELD_KEYRING = ring_b_then_a
    before = raw_mfa_secrets()
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command("vault_rotate", "--batch-size", "2", "--verbosity", "2", stdout=out)
    text = out.getvalue() + caplog.text
    assert "re-sealed 5" in text
    assert "can be removed from KINGA_FIELD_KEYS" in text and "A" in text
    for plain in sealed_under_a.values():
        assert plain not in text
    for stored in [*before.values(), *raw_mfa_secrets().values()]:
        if stored:
            assert stored.rsplit("$", 1)[1] not in text


def test_it_counts_and_keeps_values_it_cannot_open(
    settings, sealed_under_a: dict[int, str], key_b: bytes
) -> None:
    # A was removed from the ring before rotating: those values cannot be re-sealed.
    settings.FIELD_KEYRING = KeyRing(active_id="B", keys={"B": key_b})
    before = raw_mfa_secrets()
    out = io.StringIO()
    with pytest.raises(CommandError, match="5 value"):
        call_command("vault_rotate", stdout=out)
    assert "5 UNREADABLE" in out.getvalue()
    assert "not in KINGA_FIELD_KEYS" in out.getvalue()
    assert raw_mfa_secrets() == before


def test_it_never_overwrites_a_value_changed_during_the_batch(
    settings, sealed_under_a: dict[int, str], ring_b_then_a: KeyRing
) -> None:
    settings.FIELD_KEYRING = ring_b_then_a
    pk = next(iter(sealed_under_a))
    column = next(c for c in sealed_columns() if c.label == LABEL)
    stale = raw_mfa_secrets()[pk]
    User.objects.filter(pk=pk).update(mfa_secret="changed meanwhile")
    replacement = seal(sealed_under_a[pk], context=column.context, ring=ring_b_then_a)

    written = rotation._write(
        column, [rotation._Write(new=replacement, pk=pk, old=stale)], db="default"
    )

    assert written == 0
    assert User.objects.get(pk=pk).mfa_secret == "changed meanwhile"


def test_it_reports_which_keys_can_be_removed(
    settings, sealed_under_a: dict[int, str], ring_b_then_a: KeyRing
) -> None:
    settings.FIELD_KEYRING = ring_b_then_a
    assert removable_key_ids() == []
    rotation.rotate_keys()
    assert removable_key_ids() == ["A"]


def test_it_refuses_a_batch_size_below_one() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        rotation.rotate_keys(batch_size=0)


def test_it_locks_each_batch_and_updates_it_in_one_statement(
    settings, sealed_under_a: dict[int, str], ring_b_then_a: KeyRing
) -> None:
    settings.FIELD_KEYRING = ring_b_then_a
    with CaptureQueriesContext(connection) as queries:
        rotation.rotate_keys(batch_size=10)
    sql = [q["sql"] for q in queries.captured_queries]
    # Only the user table holds sealed values here; other apps' sealed tables are empty
    # and cost one empty SELECT each.
    user_sql = [s for s in sql if '"accounts_user"' in s]
    selects = [s for s in user_sql if s.lstrip().upper().startswith("SELECT")]
    # Django logs an executemany as "<n> times: UPDATE …".
    updates = [s for s in user_sql if re.match(r"^(\d+ times: )?UPDATE", s.lstrip())]
    assert len(selects) == 1 and len(updates) == 1  # one batch of 5, one executemany
    assert ("FOR UPDATE" in selects[0]) == connection.features.has_select_for_update
    for plain in sealed_under_a.values():
        assert all(plain not in s for s in sql)
