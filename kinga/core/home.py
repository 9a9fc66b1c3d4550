"""The home page is assembled from panels that each app offers for the user's role.

An app adds a ``home_panels.py`` with ``panels(user) -> list[Panel]``; core never needs to
know what a case or an indicator is.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


def panels_for(user: Any) -> list[Panel]:
    collected: list[Panel] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("kinga."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.home_panels")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.home_panels":
                raise
            continue
        collected.extend(module.panels(user))
    return sorted(collected, key=lambda panel: panel.order)
