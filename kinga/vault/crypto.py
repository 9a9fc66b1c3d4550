"""AES-256-GCM sealing of single values, and HMAC blind indexes.

A sealed value is text: ``v1$<key id>$<base64url nonce+ciphertext+tag>``. The key id
travels with the value so the key ring can rotate; the field's label (its *context*,
e.g. ``accounts.user.mfa_secret``) is bound in as associated data, so a ciphertext
copied from one column into another will not open.

Opening never returns garbage: GCM authenticates every value, so a wrong key, a
tampered byte or a value from another column raises ``SealError``. Error messages name
the context and the key id, never the value, the ciphertext or any key material.

Known limits: the ciphertext's length follows the plaintext's (a long name has a long
value), and the empty string is stored as an empty string, not sealed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from kinga.vault.keyring import FIELD_KEYS_VARIABLE, INDEX_KEY_VARIABLE, KeyRing

PREFIX = "v1"
SEPARATOR = "$"
NONCE_BYTES = 12
TAG_BYTES = 16


class SealError(Exception):
    """A stored value could not be opened: wrong key, tampering or corruption."""


def _ring() -> KeyRing:
    return settings.FIELD_KEYRING


def active_prefix(ring: KeyRing | None = None) -> str:
    """What every value sealed under the ring's active key starts with."""
    ring = ring if ring is not None else _ring()
    return f"{PREFIX}{SEPARATOR}{ring.active_id}{SEPARATOR}"


def seal(plaintext: str, *, context: str, ring: KeyRing | None = None) -> str:
    if not isinstance(plaintext, str):
        raise TypeError("only text can be sealed")
    if not context:
        raise ValueError("a sealed value needs a context (the field's label)")
    ring = ring if ring is not None else _ring()
    nonce = os.urandom(NONCE_BYTES)
    aead = AESGCM(ring.key(ring.active_id))
    body = aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    token = base64.urlsafe_b64encode(nonce + body).decode("ascii").rstrip("=")
    return f"{PREFIX}{SEPARATOR}{ring.active_id}{SEPARATOR}{token}"


def _split(sealed: str) -> tuple[str, str, str]:
    parts = sealed.split(SEPARATOR) if isinstance(sealed, str) else []
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
        raise SealError("value is not a sealed Kinga value")
    return parts[0], parts[1], parts[2]


def key_id_of(sealed: str) -> str:
    """The id of the key that sealed a value (raises ``SealError`` if it is not sealed)."""
    return _split(sealed)[1]


def is_sealed(value: str) -> bool:
    try:
        _split(value)
    except SealError:
        return False
    return True


def unseal(sealed: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring if ring is not None else _ring()
    try:
        _, key_id, token = _split(sealed)
    except SealError:
        raise SealError(f"{context}: stored value is not a sealed Kinga value") from None
    if key_id not in ring.keys:
        raise SealError(
            f"{context}: value was sealed with key {key_id!r}, which is not in "
            f"{FIELD_KEYS_VARIABLE} (it holds {', '.join(ring.keys)}); put that key back "
            f"at the end of {FIELD_KEYS_VARIABLE} to open it"
        )
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise SealError(f"{context}: value sealed with key {key_id!r} is corrupt") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SealError(f"{context}: value sealed with key {key_id!r} is truncated")
    nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        plain = AESGCM(ring.keys[key_id]).decrypt(nonce, body, context.encode("utf-8"))
    except InvalidTag:
        raise SealError(
            f"{context}: value sealed with key {key_id!r} failed authentication — "
            f"{FIELD_KEYS_VARIABLE} holds a different key under that id, or the value was "
            f"altered or copied from another field"
        ) from None
    return plain.decode("utf-8")


def blind_index(value: str, *, purpose: str, key: bytes | None = None) -> str:
    """A keyed digest for exact lookups: equal inputs give equal digests.

    ``purpose`` separates domains (a phone's digest never equals a name's). Callers
    normalise first (see ``kinga.vault.blind``); this function hashes exactly what it is
    given.
    """
    if not purpose or "\x1f" in purpose:
        raise ValueError("a blind index needs a purpose without control characters")
    if key is None:
        key = settings.BLIND_INDEX_KEY
    if not key:
        raise SealError(f"{INDEX_KEY_VARIABLE} is empty")
    message = f"{purpose}\x1f{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
