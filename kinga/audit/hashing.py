"""How an audit event becomes bytes, and those bytes a hash. No Django models here.

The hash covers every stored column of an event except ``hash`` itself, ``seq`` and
``prev_hash`` included, so editing any column — or re-ordering, removing or inserting
a row — breaks the chain. The bytes are canonical JSON (sorted keys, no spaces, UTF-8)
and the timestamp is written in UTC with microseconds, the precision both SQLite and
PostgreSQL keep, so a value read back from either database hashes to the same digest.

The digest is an HMAC keyed from ``KINGA_INDEX_KEY`` (never stored in the database):
someone who can write to the database but does not hold the key cannot rewrite a row
and recompute the chain after it. ``kinga audit verify`` needs the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: The columns that are hashed, in no particular order (the JSON keys are sorted).
#: A test checks this is every concrete column of AuditEvent except ``hash``.
HASHED_COLUMNS: tuple[str, ...] = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "action",
    "outcome",
    "target_type",
    "target_id",
    "record_owner_id",
    "fields",
    "ip",
    "user_agent_family",
    "detail",
    "prev_hash",
)

#: ``prev_hash`` of the first event.
GENESIS_HASH = "0" * 64


def normalise_timestamp(value: datetime) -> datetime:
    """The instant as stored: aware, in UTC, microsecond precision (what both DBs keep)."""
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC)


def canonical_bytes(columns: Mapping[str, Any]) -> bytes:
    payload = {}
    for name in HASHED_COLUMNS:
        value = columns[name]
        if name == "at":
            value = normalise_timestamp(value).isoformat(timespec="microseconds")
        payload[name] = value
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def chain_key() -> bytes:
    """The chain's HMAC key, derived from the blind-index key for this one purpose."""
    from django.conf import settings

    return hmac.new(settings.BLIND_INDEX_KEY, b"kinga-audit-chain-v1", hashlib.sha256).digest()


def event_hash(columns: Mapping[str, Any], *, key: bytes | None = None) -> str:
    return hmac.new(key or chain_key(), canonical_bytes(columns), hashlib.sha256).hexdigest()
