"""A database system check: do the configured keys open the stored values?

Runs when checks are given a database — at the start of ``migrate`` and with
``check --database default`` — so a deployment with the wrong key under a known id
stops there with a message naming ``KINGA_FIELD_KEYS``, instead of failing on the
first record someone opens.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError

from kinga.vault.status import verify_keys


def check_field_keys(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    if not databases:
        return []
    errors: list[checks.CheckMessage] = []
    for db in databases:
        try:
            problems = verify_keys(db=db)
        except DatabaseError:
            continue  # tables not created yet: nothing is sealed
        errors.extend(
            checks.Error(
                problem,
                hint="Check KINGA_FIELD_KEYS: every key that sealed a stored value must be "
                "in it, under the same id.",
                id="vault.E001",
            )
            for problem in problems
        )
    return errors
