"""The key ring for sealed fields, parsed from the environment.

``KINGA_FIELD_KEYS`` holds one or more AES-256 keys as ``id:base64`` pairs separated
by commas, newest first: the first key seals new values, every key opens values it
sealed. ``KINGA_INDEX_KEY`` is the HMAC key for blind indexes; it is separate so that
rotating the encryption keys never invalidates lookups. Keys live only in the process
environment — never in the database, never in logs (``KeyRing.__repr__`` hides them).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


def _decode_key(text: str, *, variable: str, label: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{variable}: {label} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{variable}: {label} must decode to {KEY_BYTES} bytes, not {len(raw)}"
        )
    return raw


@dataclass(frozen=True)
class KeyRing:
    """Encryption keys by id; ``active_id`` seals new values."""

    active_id: str
    keys: dict[str, bytes] = field(repr=False)

    def __repr__(self) -> str:  # never print key material
        return f"KeyRing(active_id={self.active_id!r}, ids={sorted(self.keys)!r})"

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise ImproperlyConfigured(
                f"KINGA_FIELD_KEYS has no key {key_id!r}, which sealed a stored value"
            ) from None


def parse_field_keys(raw: str | None, *, variable: str = "KINGA_FIELD_KEYS") -> KeyRing:
    if not raw or not raw.strip():
        raise ImproperlyConfigured(f"{variable} is not set: Kinga will not start without it")
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for entry in raw.split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{variable}: each key must look like 'id:base64' with a short id "
                f"(letters, digits, - or _), got an entry starting {entry[:4]!r}"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{variable}: key id {key_id!r} appears twice")
        keys[key_id] = _decode_key(encoded, variable=variable, label=f"key {key_id!r}")
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured(f"{variable} holds no keys")
    return KeyRing(active_id=order[0], keys=keys)


def parse_index_key(raw: str | None, *, variable: str = "KINGA_INDEX_KEY") -> bytes:
    if not raw or not raw.strip():
        raise ImproperlyConfigured(f"{variable} is not set: Kinga will not start without it")
    return _decode_key(raw, variable=variable, label="the key")


def new_key_text() -> str:
    """A fresh random key, encoded as the environment variables expect."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
