"""The audit trail and "activity on my records" pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from kinga.accounts.models import User
from kinga.audit.models import AuditEvent
from kinga.audit.services import audit_record
from kinga.audit.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

TRAIL = reverse("audit:trail")
MINE = reverse("audit:mine")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case_views(worker: User, kwale_worker: User) -> None:
    audit_record(
        actor=worker,
        action="view",
        target_type="cases.case",
        target_id="pwani-case",
        record_owner=worker,
        fields=["child_name", "phone"],
    )
    audit_record(
        actor=kwale_worker,
        action="export",
        target_type="cases.case",
        target_id="kwale-case",
        record_owner=kwale_worker,
    )


@pytest.mark.parametrize("url", [TRAIL, MINE])
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, url: str) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("reader", ["worker", "kwale_worker"])
def test_the_trail_is_not_found_for_people_without_audit_rights(request, reader: str) -> None:
    response = _client_for(request.getfixturevalue(reader)).get(TRAIL)

    assert response.status_code == 404


def test_an_org_admin_sees_their_organisations_events_only(
    pwani_admin: User, case_views: None
) -> None:
    response = _client_for(pwani_admin).get(TRAIL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "pwani-case" in body
    assert "kwale-case" not in body
    assert "child_name, phone" in body
    assert 'class="table-wrap"' in body


def test_a_system_admin_sees_every_organisation(sysadmin: User, case_views: None) -> None:
    body = _client_for(sysadmin).get(TRAIL).content.decode()

    assert "pwani-case" in body
    assert "kwale-case" in body


def test_reading_the_trail_is_itself_audited(sysadmin: User, case_views: None) -> None:
    _client_for(sysadmin).get(TRAIL, {"action": "export", "target_id": "kwale-case"})

    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.actor, event.action, event.target_type) == (sysadmin, "view", "audit.trail")
    assert event.detail == {"page": 1, "filters": ["action", "target_id"]}  # names, no values


def test_the_trail_filters_by_get_parameters(sysadmin: User, worker: User, case_views) -> None:
    client = _client_for(sysadmin)

    by_action = client.get(TRAIL, {"action": "export"}).content.decode()
    by_actor = client.get(TRAIL, {"actor": str(worker.public_id)}).content.decode()

    assert "kwale-case" in by_action and "pwani-case" not in by_action
    assert "pwani-case" in by_actor and "kwale-case" not in by_actor


def test_every_filter_field_has_a_label(pwani_admin: User) -> None:
    body = _client_for(pwani_admin).get(TRAIL).content.decode()

    for name in ("actor", "action", "outcome", "target_type", "target_id", "date_from", "date_to"):
        assert f'<label for="id_{name}">' in body


def test_bad_filters_are_explained_and_show_no_rows(sysadmin: User, case_views: None) -> None:
    response = _client_for(sysadmin).get(
        TRAIL, {"date_from": "2026-05-02", "date_to": "2026-05-01", "action": "peek"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "The start date is after the end date." in body
    assert "Select a valid choice" in body
    assert "pwani-case" not in body


def test_an_admin_cannot_filter_by_someone_outside_their_organisation(
    pwani_admin: User, kwale_worker: User, case_views: None
) -> None:
    body = _client_for(pwani_admin).get(TRAIL, {"actor": str(kwale_worker.public_id)})

    assert "kwale-case" not in body.content.decode()
    assert "Select a valid choice" in body.content.decode()


def test_the_trail_is_paginated_and_keeps_the_filters(sysadmin: User, worker: User) -> None:
    for _ in range(PAGE_SIZE + 5):
        audit_record(actor=worker, action="view", target_type="cases.case", target_id="c")
    client = _client_for(sysadmin)

    first = client.get(TRAIL, {"target_type": "cases.case"})
    second = client.get(TRAIL, {"target_type": "cases.case", "page": "2"})

    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert "target_type=cases.case&amp;page=2" in first.content.decode()
    assert second.context["page"].number == 2
    assert len(second.context["page"].object_list) == 5


def test_the_pages_answer_get_only(sysadmin: User) -> None:
    client = _client_for(sysadmin)

    assert client.post(TRAIL).status_code == 405
    assert client.post(MINE).status_code == 405


def test_my_records_shows_events_on_my_records_and_not_others(
    worker: User, kwale_worker: User, case_views: None
) -> None:
    mine = _client_for(worker).get(MINE)
    theirs = _client_for(kwale_worker).get(MINE)

    assert mine.status_code == 200
    assert "pwani-case" in mine.content.decode()
    assert "kwale-case" not in mine.content.decode()
    assert "kwale-case" in theirs.content.decode()
    assert "pwani-case" not in theirs.content.decode()


def test_my_records_has_no_who_filter_and_reading_it_writes_no_event(worker: User) -> None:
    before = AuditEvent.objects.count()

    response = _client_for(worker).get(MINE, {"action": "login"})

    assert response.status_code == 200
    assert 'name="actor"' not in response.content.decode()
    assert AuditEvent.objects.count() == before
