"""SealedTextField on a real model (accounts.User.mfa_secret), read past the ORM."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from kinga.accounts.models import User
from kinga.vault.crypto import SealError, key_id_of, unseal
from kinga.vault.keyring import KeyRing
from kinga.vault.status import verify_keys
from kinga.vault.tests.conftest import make_user, raw_mfa_secrets

SECRET = "JBSWY3DPEHPK3PXP"

pytestmark = pytest.mark.django_db


def test_it_never_stores_the_plaintext_in_the_column() -> None:
    user = make_user(1, SECRET)
    stored = raw_mfa_secrets()[user.pk]
    assert SECRET not in stored
    assert SECRET.lower() not in stored.lower()
    assert stored.startswith("v1$test1$")
    assert User.objects.get(pk=user.pk).mfa_secret == SECRET


def test_it_never_stores_the_plaintext_after_update_or_bulk_update() -> None:
    user = make_user(1)
    user.mfa_secret = SECRET
    user.save(update_fields=["mfa_secret"])
    assert SECRET not in raw_mfa_secrets()[user.pk]
    user.mfa_secret = SECRET + "2"
    User.objects.bulk_update([user], ["mfa_secret"])
    assert SECRET not in raw_mfa_secrets()[user.pk]
    User.objects.filter(pk=user.pk).update(mfa_secret=SECRET + "3")
    assert SECRET not in raw_mfa_secrets()[user.pk]
    assert User.objects.get(pk=user.pk).mfa_secret == SECRET + "3"


def test_it_binds_values_to_their_field() -> None:
    user = make_user(1, SECRET)
    with pytest.raises(SealError, match=r"accounts\.user\.full_name"):
        unseal(raw_mfa_secrets()[user.pk], context="accounts.user.full_name")


def test_it_stores_the_empty_string_unsealed() -> None:
    user = make_user(1, "")
    assert raw_mfa_secrets()[user.pk] == ""
    assert User.objects.get(pk=user.pk).mfa_secret == ""


@pytest.mark.parametrize(
    "lookup", ["mfa_secret", "mfa_secret__exact", "mfa_secret__icontains", "mfa_secret__in"]
)
def test_it_rejects_searching_a_sealed_field(lookup: str) -> None:
    value = [SECRET] if lookup.endswith("__in") else SECRET
    with pytest.raises(TypeError, match="use a blind index"):
        User.objects.filter(**{lookup: value})


def test_it_rejects_transforms_on_a_sealed_field() -> None:
    with pytest.raises(TypeError, match="sealed fields cannot"):
        User.objects.filter(mfa_secret__lower__exact="x")


def test_it_allows_isnull() -> None:
    make_user(1, SECRET)
    assert User.objects.filter(mfa_secret__isnull=False).count() == 1
    assert User.objects.filter(mfa_secret__isnull=True).count() == 0


def test_it_fails_loudly_when_read_with_the_wrong_key(settings, key_b: bytes) -> None:
    user = make_user(1, SECRET)
    settings.FIELD_KEYRING = KeyRing(active_id="test1", keys={"test1": key_b})
    with pytest.raises(SealError) as caught:
        User.objects.get(pk=user.pk)
    message = str(caught.value)
    assert "accounts.user.mfa_secret" in message and "KINGA_FIELD_KEYS" in message
    assert SECRET not in message


def test_it_fails_loudly_when_the_sealing_key_left_the_ring(settings, key_b: bytes) -> None:
    user = make_user(1, SECRET)
    settings.FIELD_KEYRING = KeyRing(active_id="new", keys={"new": key_b})
    with pytest.raises(SealError, match="key 'test1', which is not in KINGA_FIELD_KEYS"):
        User.objects.get(pk=user.pk)


def test_the_key_check_reports_a_wrong_key_before_anyone_reads(settings, key_b: bytes) -> None:
    make_user(1, SECRET)
    assert verify_keys() == []
    call_command("check", databases=["default"], tags=["database"])
    settings.FIELD_KEYRING = KeyRing(active_id="test1", keys={"test1": key_b})
    problems = verify_keys()
    assert len(problems) == 1 and "accounts.user.mfa_secret" in problems[0]
    with pytest.raises(SystemCheckError, match=r"vault\.E001"):
        call_command("check", databases=["default"], tags=["database"])


def test_the_key_check_reports_plaintext_in_a_sealed_column() -> None:
    user = make_user(1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {User._meta.db_table} SET mfa_secret = %s WHERE id = %s", [SECRET, user.pk]
        )
    assert verify_keys() == ["accounts.user.mfa_secret: 1 stored value(s) are not sealed"]


def test_every_new_value_uses_the_active_key(ring_b_then_a: KeyRing, settings) -> None:
    settings.FIELD_KEYRING = ring_b_then_a
    user = make_user(1, SECRET)
    assert key_id_of(raw_mfa_secrets()[user.pk]) == "B"
