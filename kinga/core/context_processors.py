from django.conf import settings
from django.http import HttpRequest

from kinga.accounts.roles import Action


def kinga(request: HttpRequest) -> dict[str, object]:
    """Values every page needs: whether this is a demo, and the action names for menus."""
    return {"KINGA_DEMO": settings.DEMO, "Action": Action}
