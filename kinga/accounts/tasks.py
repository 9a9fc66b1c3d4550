"""Background housekeeping for accounts, run by ``kinga worker``."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from kinga.accounts.models import FailedLogin, Invitation

FAILED_LOGIN_RETENTION_DAYS = 30


@task
def prune_sign_in_records() -> dict[str, int]:
    """Drop failed-sign-in counters past their use and invitations that expired unused.

    Lockout only looks back ``KINGA_LOCKOUT_MINUTES``; the audit trail keeps the history,
    so the counters need not be kept for long (data minimisation, DPA s.39).
    """
    now = timezone.now()
    failures, _ = FailedLogin.objects.filter(
        at__lt=now - timedelta(days=FAILED_LOGIN_RETENTION_DAYS)
    ).delete()
    expired, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=now).delete()
    return {"failed_logins": failures, "invitations": expired}
