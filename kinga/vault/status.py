"""Which keys the stored values use — to know when an old key can leave the ring.

``key_usage()`` counts, per sealed column, how many stored values each key id sealed.
It runs one grouped query per column (the key id is cut out of the stored text in SQL)
and decrypts nothing. ``removable_key_ids()`` lists retired keys no value needs any
more. ``verify_keys()`` opens one value per column and key id, so a wrong key in
``KINGA_FIELD_KEYS`` is caught with a clear message before anyone reads a record; it
runs as a database system check (``kinga manage check --database default`` and at
the start of ``migrate``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Value
from django.db.models.functions import StrIndex, Substr

from kinga.vault import crypto
from kinga.vault.crypto import PREFIX, SEPARATOR, SealError
from kinga.vault.inventory import SealedColumn, sealed_columns
from kinga.vault.keyring import FIELD_KEYS_VARIABLE, KeyRing

# Key ids are letters, digits, "-" and "_", so this bucket can never clash with one.
NOT_SEALED = "(not sealed)"
_HEAD = f"{PREFIX}{SEPARATOR}"


def _non_empty(column: SealedColumn, db: str | None = None) -> models.QuerySet:
    manager = column.model._base_manager
    queryset = manager.using(db) if db else manager.all()
    return queryset.annotate(_raw=column.raw_value()).filter(_raw__gt="").order_by()


def _usage_of(column: SealedColumn, db: str | None = None) -> dict[str, int]:
    stored = _non_empty(column, db)
    # "v1$<id>$…": the id starts at character 4 and ends before the next "$".
    sealed = (
        stored.filter(_raw__startswith=_HEAD)
        .annotate(_end=StrIndex(Substr("_raw", len(_HEAD) + 1), Value(SEPARATOR)))
        .filter(_end__gt=1)
    )
    counts = dict(
        sealed.annotate(_key=Substr("_raw", len(_HEAD) + 1, models.F("_end") - 1))
        .values("_key")
        .annotate(n=Count("pk"))
        .values_list("_key", "n")
    )
    total = stored.count()
    if total > sum(counts.values()):
        counts[NOT_SEALED] = total - sum(counts.values())
    return dict(sorted(counts.items()))


def key_usage(*, db: str | None = None) -> dict[str, dict[str, int]]:
    """``{"accounts.user.mfa_secret": {"k2": 120, "k1": 3}, …}`` — counts only."""
    return {column.label: _usage_of(column, db) for column in sealed_columns()}


def key_totals(usage: dict[str, dict[str, int]] | None = None) -> dict[str, int]:
    """Values per key id across every column."""
    totals: dict[str, int] = {}
    for counts in (usage if usage is not None else key_usage()).values():
        for key_id, n in counts.items():
            totals[key_id] = totals.get(key_id, 0) + n
    return totals


def removable_key_ids(
    usage: dict[str, dict[str, int]] | None = None, ring: KeyRing | None = None
) -> list[str]:
    """Retired keys in the ring that no stored value uses: safe to remove."""
    ring = ring if ring is not None else crypto._ring()
    totals = key_totals(usage)
    return [key_id for key_id in ring.retired_ids if not totals.get(key_id)]


def verify_keys(*, ring: KeyRing | None = None, db: str | None = None) -> list[str]:
    """Open one stored value per column and key id; return what is wrong, in words.

    An empty list means every key id in use is in the ring and opens its values.
    Messages name columns and key ids, never values or key material.
    """
    ring = ring if ring is not None else crypto._ring()
    problems: list[str] = []
    for column in sealed_columns():
        for key_id, count in _usage_of(column, db).items():
            if key_id == NOT_SEALED:
                problems.append(f"{column.label}: {count} stored value(s) are not sealed")
                continue
            if key_id not in ring.keys:
                problems.append(
                    f"{column.label}: {count} value(s) sealed with key {key_id!r}, which is "
                    f"not in {FIELD_KEYS_VARIABLE}"
                )
                continue
            sample = (
                _non_empty(column, db)
                .filter(_raw__startswith=f"{_HEAD}{key_id}{SEPARATOR}")
                .values_list("_raw", flat=True)
                .order_by("-pk")
                .first()
            )
            if sample is None:
                continue
            try:
                crypto.unseal(sample, context=column.context, ring=ring)
            except SealError as error:
                problems.append(str(error))
    return problems
