"""Who sees which audit events, and the filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kinga.accounts.models import User
from kinga.audit.models import AuditEvent
from kinga.audit.selectors import (
    AuditFilter,
    actors_to_filter_by,
    can_view_audit_trail,
    events_about_my_records,
    events_visible_to,
)
from kinga.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(worker: User, pwani_admin: User, kwale_worker: User, kwale_admin: User, sysadmin: User):
    """One event in each organisation, one on the worker's record by a colleague, one
    by the system admin with no organisation, and a failed sign-in on the worker."""
    return {
        "pwani_view": audit_record(
            actor=worker,
            action="view",
            target_type="cases.case",
            target_id="case-1",
            record_owner=worker,
            fields=["child_name"],
        ),
        "colleague_view": audit_record(
            actor=pwani_admin,
            action="view",
            target_type="cases.case",
            target_id="case-1",
            record_owner=worker,
        ),
        "kwale_export": audit_record(
            actor=kwale_worker,
            action="export",
            target_type="cases.case",
            target_id="case-9",
            record_owner=kwale_worker,
        ),
        "kwale_login": audit_record(actor=kwale_admin, action="login", target=kwale_admin),
        "sysadmin_config": audit_record(actor=sysadmin, action="update", target_type="core.config"),
        "failed_on_worker": audit_record(
            actor=None,
            action="login_failed",
            target=worker,
            outcome="failed",
        ),
        "worker_login": audit_record(actor=worker, action="login"),
        "worker_reads_other_case": audit_record(
            actor=worker,
            action="view",
            target_type="cases.case",
            target_id="case-5",
            record_owner=pwani_admin,
        ),
    }


def _names(events, log) -> set[str]:
    by_seq = {event.seq: name for name, event in log.items()}
    return {by_seq[event.seq] for event in events}


@pytest.mark.parametrize(
    ("reader", "sees"),
    [
        (
            "sysadmin",
            {
                "pwani_view",
                "colleague_view",
                "kwale_export",
                "kwale_login",
                "sysadmin_config",
                "failed_on_worker",
                "worker_login",
                "worker_reads_other_case",
            },
        ),
        (
            "pwani_admin",
            {"pwani_view", "colleague_view", "worker_login", "worker_reads_other_case"},
        ),
        (
            "pwani_supervisor",
            {"pwani_view", "colleague_view", "worker_login", "worker_reads_other_case"},
        ),
        ("kwale_admin", {"kwale_export", "kwale_login"}),
        ("worker", set()),
        ("kwale_worker", set()),
    ],
)
def test_the_trail_shows_each_reader_only_their_scope(request, log, reader: str, sees) -> None:
    user = request.getfixturevalue(reader)

    assert _names(events_visible_to(user), log) == sees


def test_only_audit_roles_may_open_the_trail(
    sysadmin: User, pwani_admin: User, pwani_supervisor: User, worker: User
) -> None:
    assert can_view_audit_trail(sysadmin)
    assert can_view_audit_trail(pwani_admin)
    assert can_view_audit_trail(pwani_supervisor)
    assert not can_view_audit_trail(worker)


def test_a_deactivated_admin_sees_nothing(pwani_admin: User, log) -> None:
    pwani_admin.is_active = False

    assert not events_visible_to(pwani_admin).exists()
    assert not can_view_audit_trail(pwani_admin)


def test_my_records_shows_events_on_my_records_my_account_and_my_sign_ins(
    worker: User, log
) -> None:
    assert _names(events_about_my_records(worker), log) == {
        "pwani_view",
        "colleague_view",
        "failed_on_worker",
        "worker_login",
    }


def test_my_records_does_not_show_other_peoples_records(kwale_worker: User, log) -> None:
    assert _names(events_about_my_records(kwale_worker), log) == {"kwale_export"}


def test_events_come_newest_first(sysadmin: User, log) -> None:
    seqs = list(events_visible_to(sysadmin).values_list("seq", flat=True))

    assert seqs == sorted(seqs, reverse=True)


def test_filters_by_actor_action_outcome_and_record(sysadmin: User, worker: User, log) -> None:
    def names(**kwargs) -> set[str]:
        return _names(events_visible_to(sysadmin, AuditFilter(**kwargs)), log)

    assert names(actor_id=worker.pk) == {"pwani_view", "worker_login", "worker_reads_other_case"}
    assert names(action="export") == {"kwale_export"}
    assert names(outcome="failed") == {"failed_on_worker"}
    assert names(target_type="cases.case", target_id="case-1") == {"pwani_view", "colleague_view"}
    assert names(action="view", actor_id=worker.pk, target_id="case-5") == {
        "worker_reads_other_case"
    }


def test_filters_by_date_in_the_site_time_zone(sysadmin: User, log) -> None:
    today = timezone.localdate()

    assert len(events_visible_to(sysadmin, AuditFilter(date_from=today, date_to=today))) == 8
    assert not events_visible_to(sysadmin, AuditFilter(date_to=today - timedelta(days=1)))
    assert not events_visible_to(sysadmin, AuditFilter(date_from=today + timedelta(days=1)))


def test_filters_apply_within_the_readers_scope(kwale_admin: User, worker: User, log) -> None:
    assert not events_visible_to(kwale_admin, AuditFilter(actor_id=worker.pk)).exists()


def test_filter_names_record_which_filters_were_used_not_their_values() -> None:
    used = AuditFilter(action="view", target_id="case-1").used()

    assert used == ["action", "target_id"]


def test_the_who_filter_offers_only_people_in_the_readers_scope(
    sysadmin: User, pwani_admin: User, worker: User, kwale_admin: User
) -> None:
    assert set(actors_to_filter_by(pwani_admin)) == {pwani_admin, worker}
    assert set(actors_to_filter_by(sysadmin)) == set(User.objects.all())
    assert not actors_to_filter_by(worker).exists()


def test_listing_a_page_of_the_trail_takes_a_fixed_number_of_queries(
    sysadmin: User, log, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(1):
        rows = list(events_visible_to(sysadmin)[:50])
        [row.organisation for row in rows]  # select_related: no query per row
    assert AuditEvent.objects.count() == len(rows)
