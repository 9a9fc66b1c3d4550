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
            audit_record(actor=None, action=AuditAction.LOCKOUT, request=request, outcome="denied")
            raise AccountLocked
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None:
            lockout.record_failure(email, request)
            known = User.objects.filter(email=email).first()
            audit_record(
                actor=None,
                action=AuditAction.LOGIN_FAILED,
                target=known,
                organisation=known.organisation if known else None,
                record_owner=known,
                request=request,
                outcome="failed",
            )
            return None
        lockout.clear_failures(email)
        return user
