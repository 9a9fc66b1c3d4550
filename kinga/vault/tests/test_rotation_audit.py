import pytest
from django.core.management import call_command

from kinga.audit.models import AuditEvent


@pytest.mark.django_db
def test_a_rotation_run_is_audited_with_counts_only():
    call_command("vault_rotate", verbosity=0)
    event = AuditEvent.objects.get(action="key_rotate")
    assert event.detail == {"resealed": 0, "unreadable": 0, "complete": True}
    assert event.target_type == "vault.keyring"


@pytest.mark.django_db
def test_a_dry_run_writes_no_audit_event():
    call_command("vault_rotate", "--dry-run", verbosity=0)
    assert not AuditEvent.objects.filter(action="key_rotate").exists()
