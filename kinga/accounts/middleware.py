"""Per-request session rules: idle timeout, two-factor enrolment, forced password change."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kinga.accounts.services import mfa_required_for
from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record
from kinga.core import resume
from kinga.core.api import json_error
from kinga.core.middleware import wants_json

LAST_SEEN = "kinga_last_seen"
MFA_OK = "kinga_mfa_ok"
# Pages a signed-in user may reach before finishing two-factor enrolment or a forced
# password change (otherwise they could never finish them).
_ALWAYS_ALLOWED = (
    "accounts:logout",
    "accounts:mfa_setup",
    "accounts:password_change",
    "set_language",
)


class SessionGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            response = self._guard(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _guard(self, request: HttpRequest, user) -> HttpResponse | None:
        now = int(time.time())
        last_seen = request.session.get(LAST_SEEN, now)
        if now - last_seen > settings.KINGA_IDLE_TIMEOUT_MINUTES * 60:
            return self._expire(request, user)
        if now - last_seen >= 60 or LAST_SEEN not in request.session:
            # A minute's precision is plenty for a 30-minute timeout, and skipping the
            # write spares a session UPDATE on almost every request.
            request.session[LAST_SEEN] = now
        if request.path.startswith("/static/"):
            return None
        allowed = {reverse(name) for name in _ALWAYS_ALLOWED}
        if request.path == reverse("accounts:logout"):
            return None
        if user.mfa_enabled and not request.session.get(MFA_OK):
            # A session that never passed the second factor (however it was made) is
            # not a sign-in: end it and ask for the code through the normal door.
            logout(request)
            if wants_json(request):
                return json_error("mfa_required", _("Sign in again with your code."), 401)
            return HttpResponseRedirect(reverse("accounts:login"))
        if request.path in allowed:
            return None
        if mfa_required_for(user) and not request.session.get(MFA_OK):
            if wants_json(request):
                return json_error("mfa_required", _("Two-factor sign-in is required."), 403)
            return HttpResponseRedirect(reverse("accounts:mfa_setup"))
        return None

    def _expire(self, request: HttpRequest, user) -> HttpResponse:
        post = request.POST.copy() if request.method == "POST" else None
        audit_record(
            actor=user,
            action=AuditAction.LOGOUT,
            target=user,
            record_owner=user,
            request=request,
            detail={"reason": "idle_timeout"},
        )
        logout(request)
        if wants_json(request):
            return json_error("session_expired", _("Your session has expired. Sign in again."), 401)
        if post is not None:
            resume.stash(request, post, owner_pk=user.pk)
        messages.warning(
            request,
            _(
                "You were signed out after %(minutes)d minutes without activity. Sign in "
                "again to continue; anything you were typing has been kept."
            )
            % {"minutes": settings.KINGA_IDLE_TIMEOUT_MINUTES},
        )
        login_url = reverse("accounts:login") + "?" + urlencode({"next": request.path})
        return HttpResponseRedirect(login_url)
