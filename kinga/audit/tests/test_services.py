"""audit_record: what it stores, what it refuses, and how it chains."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from kinga.accounts.models import FailedLogin, User
from kinga.audit.hashing import GENESIS_HASH
from kinga.audit.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome
from kinga.audit.services import audit_record, policy_ip, user_agent_family

pytestmark = pytest.mark.django_db

CHROME_ON_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


def test_events_are_numbered_in_order_and_each_links_to_the_one_before(worker: User) -> None:
    first = audit_record(actor=worker, action=AuditAction.LOGIN, target=worker)
    second = audit_record(actor=worker, action=AuditAction.LOGOUT, target=worker)

    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)


def test_the_stored_row_hashes_to_its_hash_after_a_database_round_trip(worker: User) -> None:
    event = audit_record(
        actor=worker,
        action=AuditAction.UPDATE,
        target=worker,
        fields=["role", "full_name"],
        detail={"reason_given": True, "count": 3, "roles": ["a", "b"]},
    )

    stored = AuditEvent.objects.get(seq=event.seq)

    assert stored.compute_hash() == stored.hash == event.hash
    assert stored.at == event.at


def test_a_target_fills_type_and_public_id_and_the_organisation_defaults_to_the_actors(
    worker: User, pwani_admin: User
) -> None:
    event = audit_record(actor=pwani_admin, action=AuditAction.ROLE_CHANGED, target=worker)

    assert event.target_type == "accounts.user"
    assert event.target_id == str(worker.public_id)
    assert event.organisation == pwani_admin.organisation
    assert event.actor_label == "Amina Mwinyi <amina@pwani.example>"


def test_a_target_without_public_id_is_named_by_its_primary_key(sysadmin: User) -> None:
    attempt = FailedLogin.objects.create(account_digest="a" * 64, ip_digest="b" * 64)

    event = audit_record(actor=sysadmin, action=AuditAction.VIEW, target=attempt)

    assert (event.target_type, event.target_id) == ("accounts.failedlogin", str(attempt.pk))
    assert event.organisation is None


def test_a_failed_sign_in_has_no_actor_but_names_the_account(worker: User) -> None:
    event = audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        target=worker,
        record_owner=worker,
        outcome=AuditOutcome.FAILED,
    )

    assert event.actor is None
    assert event.actor_label == ""
    assert event.organisation is None
    assert event.outcome == "failed"


def test_it_refuses_values_where_field_names_belong(worker: User) -> None:
    with pytest.raises(TypeError):
        audit_record(actor=worker, action="update", fields={"full_name": "Amina Juma"})
    with pytest.raises(TypeError):
        audit_record(actor=worker, action="update", fields="full_name")
    with pytest.raises(ValueError):
        audit_record(actor=worker, action="update", fields=["Amina Juma"])
    with pytest.raises(ValueError):
        audit_record(actor=worker, action="update", fields=[42])
    assert not AuditEvent.objects.exists()


def test_fields_are_stored_as_a_sorted_list_of_names(worker: User) -> None:
    event = audit_record(
        actor=worker, action="view", target=worker, fields=("email", "full_name", "email")
    )

    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.fields == ["email", "full_name"]
    assert all(isinstance(name, str) for name in stored.fields)


def test_it_refuses_detail_that_could_carry_identity(worker: User) -> None:
    with pytest.raises(ValueError):
        audit_record(actor=worker, action="view", detail={"note": "x" * 200})
    with pytest.raises(ValueError):
        audit_record(actor=worker, action="view", detail={"Child Name": "x"})
    with pytest.raises(ValueError):
        audit_record(actor=worker, action="view", detail={"nested": {"a": 1}})
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_unknown_action_or_outcome(worker: User) -> None:
    with pytest.raises(ValueError):
        audit_record(actor=worker, action="peek")
    with pytest.raises(ValueError):
        audit_record(actor=worker, action="view", outcome="meh")
    assert not AuditEvent.objects.exists()


def test_it_refuses_both_a_target_and_a_target_type(worker: User) -> None:
    with pytest.raises(TypeError):
        audit_record(actor=worker, action="view", target=worker, target_type="cases.case")


@pytest.mark.parametrize(
    ("policy", "address", "kept"),
    [
        ("full", "197.248.10.77", "197.248.10.77"),
        ("truncated", "197.248.10.77", "197.248.10.0"),
        ("truncated", "2c0f:fe38:2101:9a4:1c2d:3e4f:5a6b:7c8d", "2c0f:fe38:2101::"),
        ("truncated", "::ffff:197.248.10.77", "197.248.10.0"),
        ("none", "197.248.10.77", ""),
        ("truncated", "not-an-address", ""),
        ("full", "", ""),
    ],
)
def test_the_ip_policy_keeps_only_what_it_allows(policy: str, address: str, kept: str) -> None:
    assert policy_ip(address, policy) == kept


def test_the_request_address_and_browser_family_follow_the_setting(worker: User) -> None:
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="41.90.64.12",
        HTTP_USER_AGENT=CHROME_ON_ANDROID,
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    with override_settings(KINGA_AUDIT_IP="truncated"):
        truncated = audit_record(actor=worker, action="login", request=request)
    with override_settings(KINGA_AUDIT_IP="none"):
        hidden = audit_record(actor=worker, action="login", request=request)

    assert truncated.ip == "41.90.64.0"  # REMOTE_ADDR, never the forgeable header
    assert truncated.user_agent_family == "Chrome"
    assert hidden.ip == ""


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (CHROME_ON_ANDROID, "Chrome"),
        ("Opera/9.80 (J2ME/MIDP; Opera Mini/5.1.21214/28.2725; U; en) Presto/2.8", "Opera Mini"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126 Safari/537 Edg/126", "Edge"),
        ("curl/8.5.0", "curl"),
        ("", ""),
        ("SomethingElse/1.0", "Other"),
    ],
)
def test_only_the_browser_family_is_kept(agent: str, family: str) -> None:
    assert user_agent_family(agent) == family


def test_the_chain_continues_when_the_head_row_has_gone(worker: User) -> None:
    first = audit_record(actor=worker, action="login")
    AuditChainHead.objects.all().delete()

    second = audit_record(actor=worker, action="logout")

    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
