"""API token authentication with the same rules as a browser session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


class ExpiringTokenAuthentication(TokenAuthentication):
    """Tokens expire after ``KINGA_TOKEN_DAYS``, die with the account or its
    organisation, and stop working when two-factor sign-in becomes required and the
    person has not enrolled."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - timedelta(days=settings.KINGA_TOKEN_DAYS):
            token.delete()
            raise AuthenticationFailed(_("This token has expired. Sign in again."))
        if not user.organisation_is_active:
            raise AuthenticationFailed(_("This account's organisation is deactivated."))
        from kinga.accounts.services import mfa_required_for

        if mfa_required_for(user) and not user.mfa_enabled:
            raise AuthenticationFailed(_("Turn on two-factor sign-in in the web app first."))
        return user, token
