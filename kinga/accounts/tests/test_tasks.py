from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from kinga.accounts.models import FailedLogin
from kinga.accounts.tasks import prune_sign_in_records

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def old_and_new_failures(django_db_serialized_rollback, transactional_db):
    FailedLogin.objects.create(
        account_digest="a" * 64, ip_digest="b" * 64, at=timezone.now() - timedelta(days=40)
    )
    FailedLogin.objects.create(account_digest="c" * 64, ip_digest="d" * 64)


# The worker closes database connections between tasks, as it must in production, so
# this test cannot run inside the usual per-test transaction.
def test_the_worker_runs_a_queued_housekeeping_task_from_the_database(
    old_and_new_failures, settings
):
    settings.TASKS = DB_TASKS
    result = prune_sign_in_records.using(backend="default").enqueue()
    assert result.status == TaskResultStatus.READY
    assert FailedLogin.objects.count() == 2  # nothing happens until a worker takes it
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"failed_logins": 1, "invitations": 0}
    assert FailedLogin.objects.count() == 1


def test_housekeeping_is_queued_once_and_books_its_next_run(old_and_new_failures, settings):
    from django_tasks_db.models import DBTaskResult

    from kinga.accounts.tasks import schedule_housekeeping

    settings.TASKS = DB_TASKS
    assert schedule_housekeeping() is True
    assert schedule_housekeeping() is False  # one is already waiting
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.count() == 1  # tomorrow's run
    assert waiting.get().run_after > timezone.now() + timedelta(hours=23)
