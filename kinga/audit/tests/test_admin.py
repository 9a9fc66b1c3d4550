"""The audit log in Django's admin can be read, never added to, changed or deleted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kinga.accounts.models import User
from kinga.audit.models import AuditEvent
from kinga.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    user = User.objects.create_superuser(
        email="super@kinga.example", password="correct-horse-battery-staple", full_name="Super"
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_lists_and_shows_events_read_only(superuser_client: Client, worker: User) -> None:
    event = audit_record(actor=worker, action="view", target=worker, fields=["email"])

    listing = superuser_client.get(reverse("admin:audit_auditevent_changelist"))
    detail = superuser_client.get(reverse("admin:audit_auditevent_change", args=[event.seq]))

    assert listing.status_code == 200
    assert str(worker.public_id) in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_the_admin_refuses_to_add_change_or_delete(superuser_client: Client, worker: User) -> None:
    event = audit_record(actor=worker, action="view", target=worker)

    add = superuser_client.get(reverse("admin:audit_auditevent_add"))
    change = superuser_client.post(
        reverse("admin:audit_auditevent_change", args=[event.seq]), {"action": "update"}
    )
    delete = superuser_client.post(
        reverse("admin:audit_auditevent_delete", args=[event.seq]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert AuditEvent.objects.get(seq=event.seq).action == "view"
