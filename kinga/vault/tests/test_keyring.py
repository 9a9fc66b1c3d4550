"""Parsing KINGA_FIELD_KEYS / KINGA_INDEX_KEY: every refusal names the variable."""

from __future__ import annotations

import base64
import pickle

import pytest
from django.core.exceptions import ImproperlyConfigured

from kinga.vault.keyring import KeyRing, new_key_text, parse_field_keys, parse_index_key

# Fixed keys: parametrised test ids must be the same in every xdist worker.
GOOD = base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=")
OTHER = base64.urlsafe_b64encode(bytes(range(1, 33))).decode().rstrip("=")


def test_it_parses_keys_newest_first() -> None:
    ring = parse_field_keys(f"k2:{GOOD}, k1:{OTHER}")
    assert ring.active_id == "k2"
    assert list(ring.keys) == ["k2", "k1"]
    assert ring.retired_ids == ["k1"]
    assert len(ring.keys["k2"]) == 32


def test_it_accepts_standard_base64_with_padding() -> None:
    raw = bytes(range(250, 256)) * 5 + b"\xfb\xff"  # encodes with "+" and "/"
    text = base64.b64encode(raw).decode()
    assert "+" in text or "/" in text
    assert parse_field_keys(f"k1:{text}").keys["k1"] == raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "KINGA_FIELD_KEYS is not set"),
        ("   ", "KINGA_FIELD_KEYS is not set"),
        (",,", "KINGA_FIELD_KEYS holds no keys"),
        ("k1:not*base64!!", "KINGA_FIELD_KEYS: key 'k1' is not valid base64"),
        ("k1:" + "A" * 20, "KINGA_FIELD_KEYS: key 'k1' must decode to 32 bytes"),
        (f"k1:{GOOD},k1:{OTHER}", "KINGA_FIELD_KEYS: key id 'k1' appears twice"),
        (f"bad id:{GOOD}", "KINGA_FIELD_KEYS: entry 1 must look like 'id:base64'"),
        (f"{'x' * 17}:{GOOD}", "KINGA_FIELD_KEYS: entry 1 must look like 'id:base64'"),
        (GOOD, "KINGA_FIELD_KEYS: entry 1 must look like 'id:base64'"),
        (f"k1:{GOOD},k2:{GOOD}", "KINGA_FIELD_KEYS: two key ids hold the same key"),
    ],
)
def test_it_rejects_bad_field_keys_naming_the_variable(raw: str | None, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        parse_field_keys(raw)
    assert message in str(caught.value)
    assert GOOD not in str(caught.value)
    assert GOOD[:4] not in str(caught.value).replace("KINGA", "")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (None, "KINGA_INDEX_KEY is not set"),
        ("", "KINGA_INDEX_KEY is not set"),
        ("%%%", "KINGA_INDEX_KEY: the key is not valid base64"),
        ("QUJD", "KINGA_INDEX_KEY: the key must decode to 32 bytes, not 3"),
    ],
)
def test_it_rejects_a_bad_index_key_naming_the_variable(raw: str | None, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_index_key(raw)


def test_it_never_shows_key_material_in_repr_or_str() -> None:
    ring = parse_field_keys(f"k2:{GOOD},k1:{OTHER}")
    for text in (repr(ring), str(ring), f"{ring}", repr([ring])):
        assert GOOD not in text and OTHER not in text
        assert "\\x" not in text and "b'" not in text
        assert "k2" in text and "k1" in text


def test_it_refuses_to_pickle_a_ring() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(parse_field_keys(f"k1:{GOOD}"))


def test_it_keeps_the_ring_read_only() -> None:
    ring = parse_field_keys(f"k1:{GOOD}")
    with pytest.raises(TypeError):
        ring.keys["evil"] = b"\0" * 32  # type: ignore[index]


def test_it_rejects_a_ring_whose_active_key_is_missing() -> None:
    with pytest.raises(ImproperlyConfigured, match="KINGA_FIELD_KEYS"):
        KeyRing(active_id="k9", keys={"k1": b"\0" * 32})


def test_it_makes_keys_the_parser_accepts() -> None:
    assert new_key_text() != new_key_text()
    assert len(parse_index_key(new_key_text())) == 32
