"""Audit events cannot be changed or removed: not by the app, not by plain SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kinga.accounts.models import User
from kinga.audit.hashing import HASHED_COLUMNS
from kinga.audit.models import AuditEvent, AuditLogIsAppendOnly
from kinga.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(worker: User) -> AuditEvent:
    return audit_record(actor=worker, action="view", target=worker, fields=["email"])


def test_the_hash_covers_every_column_but_itself() -> None:
    columns = {field.attname for field in AuditEvent._meta.concrete_fields}

    assert set(HASHED_COLUMNS) == columns - {"hash"}


def test_saving_an_existing_event_is_refused(event: AuditEvent) -> None:
    event.action = "update"

    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(seq=event.seq).action == "view"


def test_deleting_an_event_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(seq=event.seq).delete()
    assert AuditEvent.objects.filter(seq=event.seq).exists()


def test_queryset_updates_are_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(seq=event.seq).update(action="update")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(seq=event.seq).action == "view"


def test_events_not_made_by_audit_record_are_refused(worker: User) -> None:
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.create(seq=99, at=worker.created_at, action="view", prev_hash="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(seq=99, action="view")])
    assert not AuditEvent.objects.exists()


def test_a_user_who_appears_in_the_log_cannot_be_deleted(event: AuditEvent, worker: User) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        worker.delete()


def test_the_database_refuses_an_update(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'update' WHERE seq = %s", [event.seq])

    assert AuditEvent.objects.get(seq=event.seq).action == "view"


def test_the_database_refuses_a_delete(event: AuditEvent) -> None:
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite keeps DELETE open for Django's test flush (see migration 0002); "
            "deletion there is refused by the app and caught by verify_chain"
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [event.seq])

    assert AuditEvent.objects.filter(seq=event.seq).exists()
