"""Failed sign-in counting, per account and per client address.

Rows hold HMAC digests, so the table never reveals which emails were tried (people
sometimes type a password into the email box) or who signed in from where.

A wrong password and a wrong two-factor code both count. A full sign-in (password and,
when enrolled, the code) marks the account's earlier failures as cleared: they stop
counting against the account but still count against the address they came from, so a
guesser cannot reset the per-address limit by signing in to an account of their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from kinga.accounts.models import FailedLogin
from kinga.core.client import client_ip
from kinga.vault.crypto import blind_index


def account_digest(email: str) -> str:
    return blind_index(email.strip().lower(), purpose="login-account")


def ip_digest(request: HttpRequest | None) -> str:
    return blind_index(client_ip(request), purpose="login-ip")


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.KINGA_LOCKOUT_MINUTES)


def is_locked(email: str, request: HttpRequest | None) -> bool:
    recent = FailedLogin.objects.filter(at__gte=_window_start())
    account_failures = recent.filter(account_digest=account_digest(email), cleared=False)
    if account_failures.count() >= settings.KINGA_LOCKOUT_ATTEMPTS:
        return True
    address_failures = recent.filter(ip_digest=ip_digest(request))
    return address_failures.count() >= settings.KINGA_LOCKOUT_IP_ATTEMPTS


def record_failure(email: str, request: HttpRequest | None) -> None:
    FailedLogin.objects.create(account_digest=account_digest(email), ip_digest=ip_digest(request))


def clear_failures(email: str) -> None:
    FailedLogin.objects.filter(account_digest=account_digest(email), cleared=False).update(
        cleared=True
    )
