from django.conf import settings
from django.http import HttpRequest

from kinga.accounts.roles import Action


def kinga(request: HttpRequest) -> dict[str, object]:
    """Values every page needs: whether this is a demo, and which menu entries to show."""
    user = getattr(request, "user", None)
    nav = {}
    if user is not None and user.is_authenticated:
        nav = {
            "users": user.can(Action.USERS_MANAGE),
            "organisations": user.can(Action.ORGANISATIONS_MANAGE),
            "audit": user.can(Action.AUDIT_VIEW_ORG) or user.can(Action.AUDIT_VIEW_ALL),
            "research": user.can(Action.RESEARCH_ANALYSE),
            "cases": any(
                user.can(a)
                for a in (Action.CASE_VIEW_OWN, Action.CASE_VIEW_ORG, Action.CASE_VIEW_COUNTY)
            ),
            "referrals": user.can(Action.REFERRAL_RECEIVE),
        }
    return {"KINGA_DEMO": settings.DEMO, "perms_nav": nav}
