"""Failed sign-in counting, per account and per IP address.

Rows hold HMAC digests, so the table never reveals which emails were tried (people
sometimes type a password into the email box) or who signed in from where.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from kinga.accounts.models import FailedLogin
from kinga.vault.crypto import blind_index


def account_digest(email: str) -> str:
    return blind_index(email.strip().lower(), purpose="login-account")


def ip_digest(request: HttpRequest | None) -> str:
    ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return blind_index(ip, purpose="login-ip")


def _window_start():
    return timezone.now() - timedelta(minutes=settings.KINGA_LOCKOUT_MINUTES)


def is_locked(email: str, request: HttpRequest | None) -> bool:
    recent = FailedLogin.objects.filter(at__gte=_window_start())
    if (
        recent.filter(account_digest=account_digest(email)).count()
        >= settings.KINGA_LOCKOUT_ATTEMPTS
    ):
        return True
    return recent.filter(ip_digest=ip_digest(request)).count() >= settings.KINGA_LOCKOUT_IP_ATTEMPTS


def record_failure(email: str, request: HttpRequest | None) -> None:
    FailedLogin.objects.create(account_digest=account_digest(email), ip_digest=ip_digest(request))


def clear_failures(email: str) -> None:
    FailedLogin.objects.filter(account_digest=account_digest(email)).delete()
