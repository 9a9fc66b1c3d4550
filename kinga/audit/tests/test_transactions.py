"""The chain under real transactions: concurrent writers, and the test runner's flush.

Django empties the database between transactional tests (TRUNCATE on PostgreSQL,
DELETE on SQLite); the append-only triggers must let that through, and the chain must
start again cleanly afterwards. These tests run twice in a row for that reason.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from kinga.accounts.models import User
from kinga.audit.chain import verify_chain
from kinga.audit.models import AuditEvent
from kinga.audit.services import audit_record


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2])
def test_a_flushed_database_starts_a_fresh_chain(worker: User, run: int) -> None:
    first = audit_record(actor=worker, action="login")
    audit_record(actor=worker, action="logout")

    assert first.seq == 1
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_a_number_or_a_link(worker: User) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the lock matters on PostgreSQL")
    writers, each = 8, 25

    def write(n: int) -> None:
        try:
            for _ in range(each):
                audit_record(
                    actor=worker, action="view", target_type="cases.case", target_id=str(n)
                )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(write, range(writers)))

    report = verify_chain(batch_size=50)
    assert report.ok, report.summary()
    assert report.checked == AuditEvent.objects.count() == writers * each
