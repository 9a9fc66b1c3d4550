"""Checking the audit hash chain from the first event to the last.

The events are read in ``seq`` order in batches (keyset pagination on the primary
key, columns only — no model objects), so memory stays flat with millions of rows and
no long-lived server-side cursor is needed. Verification stops at the first broken
link and says why:

* ``seq_gap`` — a number is missing (a row was deleted) or out of place;
* ``prev_hash_mismatch`` — the row does not link to the one before it;
* ``hash_mismatch`` — the row's columns no longer match its hash (it was edited);
* ``head_mismatch`` — the chain head names a last event that is not the last row
  (rows were cut off the end, or the head was edited);
* ``head_missing`` — events exist but the chain head row is gone.

The chain proves the log was not edited by anyone who could not also recompute every
later hash. Record the head hash printed by ``kinga audit verify`` somewhere outside
the database (a ticket, a signed log) to turn that into proof against the DB owner too.
"""

from __future__ import annotations

from dataclasses import dataclass

from kinga.audit.hashing import GENESIS_HASH, HASHED_COLUMNS, event_hash
from kinga.audit.models import AuditChainHead, AuditEvent

_REASONS = {
    "seq_gap": "gap in seq",
    "prev_hash_mismatch": "prev_hash does not match the previous event's hash",
    "hash_mismatch": "hash does not match the event's columns",
    "head_mismatch": "chain head does not match the last event",
    "head_missing": "chain head is missing",
}


@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    first_broken_seq: int | None = None
    reason: str = ""  # a key of _REASONS, or "" when the chain is intact

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None

    @property
    def reason_text(self) -> str:
        return _REASONS.get(self.reason, self.reason)

    def summary(self) -> str:
        if self.ok:
            if not self.checked:
                return "audit chain OK: no events yet"
            return (
                f"audit chain OK: {self.checked} events, last seq {self.last_seq}, "
                f"head hash {self.last_hash}"
            )
        return (
            f"audit chain BROKEN at seq {self.first_broken_seq}: {self.reason_text} "
            f"({self.checked} events checked before it)"
        )


def verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """Recompute the chain up to the head as it stood when verification began.

    Events written while this runs (numbered after that head) are left for next time.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    head = AuditChainHead.objects.filter(pk=AuditChainHead.SINGLETON_ID).first()
    events = AuditEvent.objects.order_by("seq")
    if head is not None:
        events = events.filter(seq__lte=head.last_seq)

    columns = ("hash", *HASHED_COLUMNS)
    hash_index, seq_index, prev_index = 0, columns.index("seq"), columns.index("prev_hash")
    checked, last_seq, last_hash = 0, 0, GENESIS_HASH
    while True:
        batch = list(events.filter(seq__gt=last_seq).values_list(*columns)[:batch_size])
        for row in batch:
            seq = row[seq_index]
            if seq != last_seq + 1:
                return ChainReport(checked, last_seq, last_hash, last_seq + 1, "seq_gap")
            if row[prev_index] != last_hash:
                return ChainReport(checked, last_seq, last_hash, seq, "prev_hash_mismatch")
            if event_hash(dict(zip(columns, row, strict=True))) != row[hash_index]:
                return ChainReport(checked, last_seq, last_hash, seq, "hash_mismatch")
            checked, last_seq, last_hash = checked + 1, seq, row[hash_index]
        if len(batch) < batch_size:
            break

    if head is None:
        if checked:
            return ChainReport(checked, last_seq, last_hash, last_seq + 1, "head_missing")
    elif (head.last_seq, head.last_hash) != (last_seq, last_hash):
        return ChainReport(checked, last_seq, last_hash, last_seq + 1, "head_mismatch")
    return ChainReport(checked, last_seq, last_hash)
