"""Home-page panel for M&E officers and researchers: their organisation's research work."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kinga.accounts.models import User
from kinga.core.home import Panel
from kinga.research import selectors


def panels(user: User) -> list[Panel]:
    if not selectors.can_analyse(user):
        return []
    counts = {
        "datasets": selectors.datasets_visible_to(user).count(),
        "studies": selectors.studies_visible_to(user).count(),
    }
    return [Panel(_("Research and evaluation"), "research/panels/research.html", counts, order=40)]
