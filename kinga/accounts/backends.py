"""Password sign-in that counts failures and refuses locked accounts and addresses."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from kinga.accounts import lockout
from kinga.accounts.models import User
from kinga.audit.models import AuditAction
from kinga.audit.services import audit_record


class AccountLocked(Exception):
    """Too many failed sign-ins for this account or from this address."""


def _audit_subject(email: str) -> dict[str, Any]:
    """Attach a failed or refused sign-in to the account it names, when there is one, so
    the person sees it under "activity on my records" and their admin in the trail."""
    known = User.objects.select_related("organisation").filter(email=email).first()
    return {
        "target": known,
        "organisation": known.organisation if known else None,
        "record_owner": known,
    }


class LockoutAwareBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        email = username.strip().lower()
        if lockout.is_locked(email, request):
            audit_record(
                actor=None,
                action=AuditAction.LOCKOUT,
                request=request,
                outcome="denied",
                **_audit_subject(email),
            )
            raise AccountLocked
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None:
            lockout.record_failure(email, request)
            audit_record(
                actor=None,
                action=AuditAction.LOGIN_FAILED,
                request=request,
                outcome="failed",
                **_audit_subject(email),
            )
            return None
        # Failures are cleared only when the whole sign-in (with the second factor,
        # when enrolled) succeeds: see services.signin_complete.
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        # Checked at sign-in and on every request (get_user): a deactivated person or
        # organisation loses access at once.
        return super().user_can_authenticate(user) and user.organisation_is_active
