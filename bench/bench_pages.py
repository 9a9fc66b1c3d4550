"""Page weight: the bytes a phone downloads for a page (HTML + CSS + JS it links).

Budgets (DESIGN.md): any signed-in page ≤ 100 KB; the sign-in page ≤ 30 KB.
"""

from __future__ import annotations

import re

import django

BUDGETS = {
    "sign_in": 30 * 1024,
    "home_case_worker": 100 * 1024,
    "home_system_admin": 100 * 1024,
    "home_org_admin": 100 * 1024,
}


def _asset_bytes(html: str) -> int:
    from django.contrib.staticfiles import finders

    total = 0
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        path = finders.find(url.removeprefix("/static/"))
        if path:
            with open(path, "rb") as handle:
                total += len(handle.read())
    return total


def _weigh(client, url: str) -> dict[str, int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assets = _asset_bytes(html)
    return {
        "html": len(response.content),
        "assets": assets,
        "total": len(response.content) + assets,
    }


def run() -> dict[str, object]:
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kinga.core.testing import client_for, make_cast

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)

    from django.db import transaction

    results: dict[str, object] = {}
    with transaction.atomic():
        cast = make_cast()
        results["sign_in"] = _weigh(Client(), "/accounts/login/")
        results["home_case_worker"] = _weigh(client_for(cast.owner), "/")
        results["home_org_admin"] = _weigh(client_for(cast.org_admin), "/")
        results["home_system_admin"] = _weigh(client_for(cast.sysadmin), "/")
        transaction.set_rollback(True)
    results["within_budget"] = all(
        results[name]["total"] <= budget for name, budget in BUDGETS.items()
    )
    results["budgets"] = BUDGETS
    return results
