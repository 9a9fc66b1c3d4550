"""seal/unseal: round trips, and every way a value can fail to open fails loudly."""

from __future__ import annotations

import base64

import pytest

from kinga.vault.crypto import SealError, blind_index, is_sealed, key_id_of, seal, unseal
from kinga.vault.keyring import KeyRing

CONTEXT = "cases.child.full_name"


def test_it_round_trips_text_including_non_ascii(ring_a: KeyRing) -> None:
    for text in ("Mwanajuma Kadzo", "Zuhura Ng\u2019ang\u2019a \u2014 \u00fc", "x" * 5000):
        sealed = seal(text, context=CONTEXT, ring=ring_a)
        assert text not in sealed
        assert unseal(sealed, context=CONTEXT, ring=ring_a) == text


def test_it_stores_the_key_id_with_each_value(ring_a: KeyRing) -> None:
    sealed = seal("Kadzo", context=CONTEXT, ring=ring_a)
    assert sealed.startswith("v1$A$")
    assert key_id_of(sealed) == "A"
    assert is_sealed(sealed) and not is_sealed("Kadzo")


def test_it_uses_a_fresh_nonce_every_time(ring_a: KeyRing) -> None:
    assert seal("Kadzo", context=CONTEXT, ring=ring_a) != seal(
        "Kadzo", context=CONTEXT, ring=ring_a
    )


def test_it_rejects_a_value_sealed_for_another_field(ring_a: KeyRing) -> None:
    sealed = seal("Kadzo", context="cases.child.full_name", ring=ring_a)
    with pytest.raises(SealError, match=r"cases\.caregiver\.full_name: .*failed authentication"):
        unseal(sealed, context="cases.caregiver.full_name", ring=ring_a)


@pytest.mark.parametrize("position", [0, 5, 12, 20, -1])
def test_it_rejects_tampered_ciphertext(ring_a: KeyRing, position: int) -> None:
    sealed = seal("Kadzo Tsuma", context=CONTEXT, ring=ring_a)
    head, token = sealed.rsplit("$", 1)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[position] ^= 0x01
    forged = head + "$" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(SealError, match="failed authentication"):
        unseal(forged, context=CONTEXT, ring=ring_a)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Kadzo", "not a sealed Kinga value"),
        ("v2$A$abcd", "not a sealed Kinga value"),
        ("v1$$abcd", "not a sealed Kinga value"),
        ("v1$A$ab*d", "is corrupt"),
        ("v1$A$abcd", "is truncated"),
    ],
)
def test_it_rejects_malformed_values(ring_a: KeyRing, value: str, message: str) -> None:
    with pytest.raises(SealError, match=message):
        unseal(value, context=CONTEXT, ring=ring_a)


def test_it_names_the_variable_when_the_key_id_is_not_in_the_ring(
    ring_a: KeyRing, key_b: bytes
) -> None:
    sealed = seal("Kadzo", context=CONTEXT, ring=ring_a)
    other = KeyRing(active_id="B", keys={"B": key_b})
    with pytest.raises(SealError) as caught:
        unseal(sealed, context=CONTEXT, ring=other)
    message = str(caught.value)
    assert "KINGA_FIELD_KEYS" in message and "'A'" in message and CONTEXT in message
    assert sealed.rsplit("$", 1)[1] not in message
    assert repr(key_b) not in message
    assert base64.urlsafe_b64encode(key_b).decode().rstrip("=") not in message


def test_it_fails_loudly_when_the_same_id_holds_a_different_key(
    ring_a: KeyRing, key_b: bytes
) -> None:
    sealed = seal("Kadzo", context=CONTEXT, ring=ring_a)
    impostor = KeyRing(active_id="A", keys={"A": key_b})
    with pytest.raises(SealError, match="KINGA_FIELD_KEYS holds a different key"):
        unseal(sealed, context=CONTEXT, ring=impostor)


def test_it_opens_old_values_with_a_retired_key(ring_a: KeyRing, ring_b_then_a: KeyRing) -> None:
    old = seal("Kadzo", context=CONTEXT, ring=ring_a)
    new = seal("Kadzo", context=CONTEXT, ring=ring_b_then_a)
    assert key_id_of(new) == "B"
    assert unseal(old, context=CONTEXT, ring=ring_b_then_a) == "Kadzo"


def test_it_refuses_to_seal_non_text_or_without_context(ring_a: KeyRing) -> None:
    with pytest.raises(TypeError):
        seal(b"bytes", context=CONTEXT, ring=ring_a)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="context"):
        seal("Kadzo", context="", ring=ring_a)


def test_it_makes_blind_indexes_stable_key_dependent_and_purpose_separated(
    key_a: bytes, key_b: bytes
) -> None:
    one = blind_index("254712345678", purpose="phone", key=key_a)
    assert one == blind_index("254712345678", purpose="phone", key=key_a)
    assert len(one) == 64 and "254712345678" not in one
    assert one != blind_index("254712345678", purpose="phone", key=key_b)
    assert one != blind_index("254712345678", purpose="child-name", key=key_a)
    assert one != blind_index("254712345679", purpose="phone", key=key_a)
