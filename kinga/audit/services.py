"""Writing the audit log. ``audit_record`` is the only way an AuditEvent is made.

Call it inside the service's own transaction, as its last database write: the event
then commits or rolls back with the change it describes, and the chain-head lock it
takes (PostgreSQL: ``SELECT … FOR UPDATE`` on one row, held until the outermost
transaction ends) is held as briefly as possible and always after the caller's own
row locks, which keeps lock order consistent and avoids deadlocks.

The client address comes from ``kinga.core.client.client_ip``: ``REMOTE_ADDR``, or, with
``KINGA_TRUSTED_PROXY_COUNT`` proxies in front, the address the outermost trusted proxy
recorded in ``X-Forwarded-For`` (never the client-written part). What is kept of the
address follows ``KINGA_AUDIT_IP``: ``full``, ``truncated`` (IPv4 to its /24, IPv6 to
its /48) or ``none``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from kinga.audit.hashing import GENESIS_HASH, normalise_timestamp
from kinga.audit.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome
from kinga.core.client import client_ip

logger = logging.getLogger("kinga.audit")

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,63}$")
_DETAIL_KEY = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")
_DETAIL_MAX_BYTES = 1024
_DETAIL_MAX_STRING = 64


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    fields: Iterable[str] = (),
    organisation: Any = None,
    record_owner: Any = None,
    request: HttpRequest | None = None,
    outcome: AuditOutcome | str = AuditOutcome.OK,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``actor`` is the signed-in user, or ``None`` (or an anonymous user) when nobody is
    signed in — e.g. a failed sign-in. ``target`` is the record acted on; it fills
    ``target_type`` (``app_label.model``) and ``target_id`` (its ``public_id`` if it has
    one, else its primary key). ``fields`` are the *names* of the fields shown or
    changed — never their values. ``detail`` holds a few non-identifying facts
    (``{"reason_given": True}``): short scalars under snake_case keys.
    ``organisation`` defaults to the actor's.
    """
    action = AuditAction(action)
    outcome = AuditOutcome(outcome)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser
    if target is not None:
        if target_type or target_id:
            raise TypeError("give either target or target_type/target_id, not both")
        target_type, target_id = describe_target(target)
    elif target_id and not target_type:
        raise TypeError("target_id needs a target_type")
    if organisation is None and actor is not None:
        organisation = actor.organisation
    ip, agent = client_facts(request)

    head = _lock_chain_head()
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=normalise_timestamp(timezone.now()),
        actor=actor,
        actor_label=actor_label(actor),
        organisation=organisation,
        action=action.value,
        outcome=outcome.value,
        target_type=str(target_type)[:100],
        target_id=str(target_id)[:64],
        record_owner=record_owner,
        fields=clean_field_names(fields),
        ip=ip,
        user_agent_family=agent,
        detail=clean_detail(detail),
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save()
    AuditChainHead.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)
    return event


def _lock_chain_head() -> AuditChainHead:
    """Lock and return the chain head, recreating it if it is missing.

    Migration 0002 creates the row. It can only be missing after the whole database was
    flushed (the test suite does this) or if someone deleted it; it is then rebuilt from
    the newest event so the chain continues, and the fact is logged.
    """
    try:
        return AuditChainHead.objects.select_for_update().get(pk=AuditChainHead.SINGLETON_ID)
    except AuditChainHead.DoesNotExist:
        pass
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    if last is not None:
        logger.warning("audit chain head was missing; rebuilt from event %s", last.seq)
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(
                pk=AuditChainHead.SINGLETON_ID,
                last_seq=last.seq if last else 0,
                last_hash=last.hash if last else GENESIS_HASH,
            )
    except IntegrityError:  # another writer created it first
        return AuditChainHead.objects.select_for_update().get(pk=AuditChainHead.SINGLETON_ID)


def describe_target(target: models.Model) -> tuple[str, str]:
    public_id = getattr(target, "public_id", None)
    identifier = public_id if public_id is not None else target.pk
    if identifier is None:
        raise ValueError("the audit target has not been saved yet")
    return target._meta.label_lower, str(identifier)


def actor_label(actor: Any) -> str:
    if actor is None:
        return ""
    name = getattr(actor, "full_name", "") or ""
    email = getattr(actor, "email", "") or ""
    return (f"{name} <{email}>" if name and email else name or email)[:300]


def clean_field_names(fields: Iterable[str]) -> list[str]:
    """Field names, sorted and de-duplicated. Anything that is not a name is refused.

    A mapping is refused even though iterating it would give only its keys: passing
    ``form.cleaned_data`` here is exactly the mistake this guards against.
    """
    if isinstance(fields, str | bytes | Mapping):
        raise TypeError("fields must be a list of field names")
    names = set()
    for name in fields:
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            raise ValueError("fields must hold field names only (letters, digits, _ and .)")
        names.add(name)
    return sorted(names)


def clean_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """A small dict of short scalars (or lists of them) under snake_case keys."""
    if detail is None:
        return {}
    if not isinstance(detail, Mapping):
        raise TypeError("detail must be a mapping")
    clean: dict[str, Any] = {}
    for key, value in detail.items():
        if not isinstance(key, str) or not _DETAIL_KEY.match(key):
            raise ValueError(f"detail keys must be snake_case names, not {key!r}")
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, float):
                raise ValueError("detail values must not be floats (they do not hash stably)")
            if not isinstance(item, str | int | bool | type(None)):
                raise ValueError(f"detail[{key!r}] must be text, a number, true/false or null")
            if isinstance(item, str) and len(item) > _DETAIL_MAX_STRING:
                raise ValueError(f"detail[{key!r}] is too long for a non-identifying fact")
        clean[key] = list(value) if isinstance(value, tuple) else value
    if len(json.dumps(clean)) > _DETAIL_MAX_BYTES:
        raise ValueError("detail is too large")
    return clean


# -- the client ----------------------------------------------------------------------


def client_facts(request: HttpRequest | None) -> tuple[str, str]:
    if request is None:
        return "", ""
    meta = getattr(request, "META", {})
    return (
        policy_ip(client_ip(request), settings.KINGA_AUDIT_IP),
        user_agent_family(meta.get("HTTP_USER_AGENT", "")),
    )


def policy_ip(raw: str, policy: str) -> str:
    """The address as the policy allows: ``full``, ``truncated`` or ``none``."""
    if policy == "none" or not raw:
        return ""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if policy == "full":
        return str(address)
    if policy == "truncated":
        prefix = 24 if address.version == 4 else 48
        return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
    raise ValueError(f"unknown KINGA_AUDIT_IP policy {policy!r}")


# Order matters: several browsers name others in their user-agent string.
_AGENTS: tuple[tuple[str, str], ...] = (
    ("opera mini", "Opera Mini"),
    ("kaios", "KaiOS"),
    ("samsungbrowser", "Samsung Internet"),
    ("edg/", "Edge"),
    ("opr/", "Opera"),
    ("firefox/", "Firefox"),
    ("chromium/", "Chromium"),
    ("chrome/", "Chrome"),
    ("safari/", "Safari"),
    ("curl/", "curl"),
    ("python-requests", "Python"),
    ("okhttp", "Android app"),
)


def user_agent_family(user_agent: str) -> str:
    """A browser family name such as ``Chrome`` — never the full, fingerprintable string."""
    lowered = user_agent.lower()
    if not lowered:
        return ""
    for needle, family in _AGENTS:
        if needle in lowered:
            return family
    return "Other"
