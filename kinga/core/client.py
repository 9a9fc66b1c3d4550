"""Who is on the other end of a request: the client's address behind trusted proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    """The client's IP address.

    ``REMOTE_ADDR`` unless ``KINGA_TRUSTED_PROXY_COUNT`` proxies stand in front of the
    app; then the address the outermost trusted proxy saw, taken from the right-hand end
    of ``X-Forwarded-For`` (entries further left are written by the client and could be
    forged).
    """
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.KINGA_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
