"""AES-256-GCM sealing of single values, and HMAC blind indexes.

A sealed value is text: ``v1$<key id>$<base64 nonce+ciphertext+tag>``. The key id
travels with the value so the key ring can rotate; the field's name is bound in as
associated data, so a ciphertext copied from one column into another will not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from kinga.vault.keyring import KeyRing

PREFIX = "v1"
NONCE_BYTES = 12


class SealError(Exception):
    """A stored value could not be opened: wrong key, tampering or corruption."""


def _ring() -> KeyRing:
    return settings.FIELD_KEYRING


def seal(plaintext: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or _ring()
    nonce = os.urandom(NONCE_BYTES)
    aead = AESGCM(ring.key(ring.active_id))
    body = aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    token = base64.urlsafe_b64encode(nonce + body).decode("ascii").rstrip("=")
    return f"{PREFIX}${ring.active_id}${token}"


def key_id_of(sealed: str) -> str:
    prefix, key_id, _ = _split(sealed)
    return key_id


def _split(sealed: str) -> tuple[str, str, str]:
    parts = sealed.split("$")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise SealError("value is not a sealed Kinga value")
    return parts[0], parts[1], parts[2]


def unseal(sealed: str, *, context: str, ring: KeyRing | None = None) -> str:
    ring = ring or _ring()
    _, key_id, token = _split(sealed)
    if key_id not in ring.keys:
        raise SealError(f"no key {key_id!r} in KINGA_FIELD_KEYS to open this value")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        plain = AESGCM(ring.keys[key_id]).decrypt(nonce, body, context.encode("utf-8"))
    except InvalidTag:
        raise SealError(f"value sealed with key {key_id!r} failed authentication") from None
    return plain.decode("utf-8")


def blind_index(value: str, *, purpose: str, key: bytes | None = None) -> str:
    """A keyed digest for exact lookups: equal inputs give equal digests."""
    key = key or settings.BLIND_INDEX_KEY
    message = f"{purpose}\x1f{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
