"""Background housekeeping for accounts, run by ``kinga worker``."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from kinga.accounts.models import FailedLogin, Invitation

FAILED_LOGIN_RETENTION_DAYS = 30
HOUSEKEEPING_EVERY = timedelta(days=1)


def prune_old_sign_in_records() -> dict[str, int]:
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


@task
def prune_sign_in_records() -> dict[str, int]:
    """The daily housekeeping job: prune, then book the next run."""
    result = prune_old_sign_in_records()
    schedule_housekeeping(after=timezone.now() + HOUSEKEEPING_EVERY)
    return result


def schedule_housekeeping(*, after=None) -> bool:
    """Queue the housekeeping job unless one is already waiting; ``kinga worker`` calls
    this at start, and each run books the next, so it runs daily without cron.

    Only the database backend keeps a queue that can be inspected; with any other
    backend this does nothing.
    """
    from django.tasks import task_backends

    backend = task_backends[prune_sign_in_records.backend]
    if not backend.__class__.__module__.startswith("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=prune_sign_in_records.module_path, status="READY"
    ).exists()
    if waiting:
        return False
    prune_sign_in_records.using(run_after=after or timezone.now()).enqueue()
    return True
