"""Home-page panels for administrators: their people, and the system's configuration."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from kinga.accounts import selectors
from kinga.accounts.models import Invitation, Organisation, User
from kinga.accounts.roles import IDENTIFIED_DATA_ROLES, Action
from kinga.core.home import Panel


def panels(user: User) -> list[Panel]:
    found: list[Panel] = []
    if user.can(Action.USERS_MANAGE):
        people = selectors.users_visible_to(user)
        counts = people.aggregate(
            active=Count("pk", filter=Q(is_active=True)),
            deactivated=Count("pk", filter=Q(is_active=False)),
            without_mfa=Count(
                "pk",
                filter=Q(is_active=True, mfa_enabled=False, role__in=list(IDENTIFIED_DATA_ROLES)),
            ),
        )
        counts["pending"] = Invitation.objects.filter(
            user__in=people, accepted_at__isnull=True
        ).count()
        found.append(
            Panel(_("Your organisation's people"), "accounts/panels/people.html", counts, order=10)
        )
    if user.can(Action.ORGANISATIONS_MANAGE):
        by_kind = Organisation.objects.values("kind").annotate(n=Count("pk")).order_by("kind")
        config = {
            "require_mfa": settings.KINGA_REQUIRE_MFA,
            "idle_minutes": settings.KINGA_IDLE_TIMEOUT_MINUTES,
            "lockout_attempts": settings.KINGA_LOCKOUT_ATTEMPTS,
            "lockout_minutes": settings.KINGA_LOCKOUT_MINUTES,
            "active_key": settings.FIELD_KEYRING.active_id,
            "key_ids": sorted(settings.FIELD_KEYRING.keys),
            "small_cell": settings.KINGA_SMALL_CELL,
            "users": User.objects.filter(is_active=True).count(),
            "by_kind": [
                (
                    dict(Organisation._meta.get_field("kind").choices).get(
                        row["kind"], row["kind"]
                    ),
                    row["n"],
                )
                for row in by_kind
            ],
        }
        found.append(Panel(_("System"), "accounts/panels/system.html", config, order=10))
    return found
