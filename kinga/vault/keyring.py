"""The key ring for sealed fields, parsed from the environment.

``KINGA_FIELD_KEYS`` holds one or more AES-256 keys as ``id:base64`` pairs separated
by commas, newest first: the first key seals new values, every key opens values it
sealed. ``KINGA_INDEX_KEY`` is the HMAC key for blind indexes; it is separate so that
rotating the encryption keys never invalidates lookups. Keys live only in the process
environment — never in the database, never in logs (``KeyRing.__repr__`` hides them,
and no error message here quotes any part of a key).

Rotating: generate a key (``new_key_text()``), put it *first* in ``KINGA_FIELD_KEYS``
on every process, keep the old keys after it, run ``kinga keys rotate``, then remove
an old key only once ``kinga.vault.status.key_usage()`` shows no value still uses it.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
FIELD_KEYS_VARIABLE = "KINGA_FIELD_KEYS"
INDEX_KEY_VARIABLE = "KINGA_INDEX_KEY"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# Either base64 alphabet (``openssl rand -base64 32`` gives "+/"), optional padding.
_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")


def _decode_key(text: str, *, variable: str, label: str) -> bytes:
    """Decode one key strictly. Messages name the variable and never quote the key."""
    text = text.strip()
    if not _BASE64.match(text):
        raise ImproperlyConfigured(f"{variable}: {label} is not valid base64")
    standard = text.rstrip("=").replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{variable}: {label} is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{variable}: {label} must decode to {KEY_BYTES} bytes, not {len(raw)} "
            f"(make one with: python -c 'import secrets,base64; "
            f"print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())')"
        )
    return raw


@dataclass(frozen=True, repr=False, eq=False)
class KeyRing:
    """Encryption keys by id; ``active_id`` seals new values, every key opens its own."""

    active_id: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.active_id not in self.keys:
            raise ImproperlyConfigured(
                f"{FIELD_KEYS_VARIABLE}: the active key {self.active_id!r} is not in the ring"
            )
        for key_id, key in self.keys.items():
            if not _KEY_ID.match(key_id) or len(key) != KEY_BYTES:
                raise ImproperlyConfigured(f"{FIELD_KEYS_VARIABLE}: key {key_id!r} is malformed")
        # Read-only, so nothing can swap a key under a running process.
        object.__setattr__(self, "keys", MappingProxyType(dict(self.keys)))

    def __repr__(self) -> str:  # never print key material
        return f"KeyRing(active_id={self.active_id!r}, ids={list(self.keys)!r})"

    __str__ = __repr__

    def __reduce__(self) -> object:
        # Pickling would copy key material into caches, task queues or crash dumps.
        raise TypeError("a KeyRing holds secret keys and cannot be pickled")

    @property
    def retired_ids(self) -> list[str]:
        """Ids that still open old values but no longer seal new ones."""
        return [key_id for key_id in self.keys if key_id != self.active_id]

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise ImproperlyConfigured(
                f"{FIELD_KEYS_VARIABLE} has no key {key_id!r}, which sealed a stored value"
            ) from None


def parse_field_keys(raw: str | None, *, variable: str = FIELD_KEYS_VARIABLE) -> KeyRing:
    if not raw or not raw.strip():
        raise ImproperlyConfigured(f"{variable} is not set: Kinga will not start without it")
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for number, entry in enumerate(raw.split(","), start=1):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            # Quote nothing from the entry: without the colon it may be a bare key.
            raise ImproperlyConfigured(
                f"{variable}: entry {number} must look like 'id:base64' with a short id "
                f"(1-16 letters, digits, - or _)"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{variable}: key id {key_id!r} appears twice")
        keys[key_id] = _decode_key(encoded, variable=variable, label=f"key {key_id!r}")
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured(f"{variable} holds no keys")
    if len(set(keys.values())) != len(keys):
        raise ImproperlyConfigured(f"{variable}: two key ids hold the same key")
    return KeyRing(active_id=order[0], keys=keys)


def parse_index_key(raw: str | None, *, variable: str = INDEX_KEY_VARIABLE) -> bytes:
    if not raw or not raw.strip():
        raise ImproperlyConfigured(f"{variable} is not set: Kinga will not start without it")
    return _decode_key(raw, variable=variable, label="the key")


def new_key_text() -> str:
    """A fresh random key, encoded as the environment variables expect."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
