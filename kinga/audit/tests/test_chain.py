"""verify_chain and the audit_verify command: an intact chain passes; every kind of
tampering is caught at the first broken link."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from kinga.accounts.models import User
from kinga.audit.chain import verify_chain
from kinga.audit.models import AuditChainHead, AuditEvent
from kinga.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events(worker: User, pwani_admin: User) -> None:
    for action in ("login", "view", "update", "export", "logout"):
        audit_record(actor=worker, action=action, target=pwani_admin, fields=["role"])


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_empty_log_verifies(db: None) -> None:
    report = verify_chain()

    assert report.ok
    assert report.checked == 0


def test_an_untouched_chain_verifies_across_batches(five_events: None) -> None:
    report = verify_chain(batch_size=2)

    assert report.ok
    assert (report.checked, report.last_seq) == (5, 5)
    assert report.last_hash == AuditChainHead.objects.get().last_hash


def test_an_edited_row_is_reported_at_its_seq(five_events: None, triggers_off) -> None:
    with triggers_off():
        _raw("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["view", 4])

    report = verify_chain(batch_size=2)

    assert not report.ok
    assert (report.first_broken_seq, report.reason) == (4, "hash_mismatch")
    assert report.checked == 3


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(
    five_events: None, triggers_off
) -> None:
    forged = AuditEvent.objects.get(seq=2)
    forged.action = "login"
    with triggers_off():
        _raw(
            "UPDATE audit_auditevent SET action = %s, hash = %s WHERE seq = %s",
            ["login", forged.compute_hash(), 2],
        )

    report = verify_chain()

    assert (report.first_broken_seq, report.reason) == (3, "prev_hash_mismatch")


def test_a_row_deleted_from_the_middle_is_reported_as_a_gap(
    five_events: None, triggers_off
) -> None:
    with triggers_off():
        _raw("DELETE FROM audit_auditevent WHERE seq = %s", [3])

    report = verify_chain()

    assert (report.first_broken_seq, report.reason) == (3, "seq_gap")
    assert report.checked == 2


def test_rows_cut_off_the_end_are_caught_by_the_chain_head(five_events: None, triggers_off) -> None:
    with triggers_off():
        _raw("DELETE FROM audit_auditevent WHERE seq >= %s", [4])

    report = verify_chain()

    assert (report.first_broken_seq, report.reason) == (4, "head_mismatch")


def test_events_without_a_chain_head_are_reported(five_events: None) -> None:
    AuditChainHead.objects.all().delete()

    report = verify_chain()

    assert (report.first_broken_seq, report.reason) == (6, "head_missing")


def test_the_command_prints_one_line_and_exits_0_when_intact(five_events: None) -> None:
    out = StringIO()

    call_command("audit_verify", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("audit chain OK: 5 events, last seq 5")


def test_the_command_names_the_first_broken_seq_and_exits_1(
    five_events: None, triggers_off
) -> None:
    with triggers_off():
        _raw("UPDATE audit_auditevent SET target_id = %s WHERE seq = %s", ["someone-else", 2])
    err = StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("audit_verify", "--batch-size", "2", stderr=err, stdout=StringIO())

    assert exited.value.code == 1
    assert err.getvalue().strip() == (
        "audit chain BROKEN at seq 2: hash does not match the event's columns "
        "(1 events checked before it)"
    )


def test_a_chain_rewritten_without_the_key_does_not_verify(five_events: None, triggers_off) -> None:
    """Recomputing hashes with plain SHA-256 (no key) is what someone with only database
    access could do; verification must still fail."""
    import hashlib

    from kinga.audit.hashing import canonical_bytes

    event = AuditEvent.objects.order_by("seq").last()
    forged = hashlib.sha256(canonical_bytes(event.hashed_columns())).hexdigest()
    assert forged != event.hash
    with triggers_off():
        _raw("UPDATE audit_auditevent SET hash = %s WHERE seq = %s", [forged, event.seq])
    report = verify_chain()
    assert (report.ok, report.first_broken_seq, report.reason) == (
        False,
        event.seq,
        "hash_mismatch",
    )
