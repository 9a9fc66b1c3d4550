"""Re-seal stored values under the active key (``kinga keys rotate``).

Procedure for operators:

1. Put a new key first in ``KINGA_FIELD_KEYS`` on *every* process (web, worker) and
   keep the old keys after it. From then on new values are sealed with the new key.
2. Run ``kinga keys rotate``. For every sealed column it walks the rows in primary-key
   order, in batches, and re-seals each value whose key id is not the active one.
3. Check ``kinga.vault.status.key_usage()`` (the command prints it): when an old key
   seals no value any more, remove it from ``KINGA_FIELD_KEYS``.

How it is safe:

* **Resumable.** Each batch selects only rows that still hold a value under an old key
  (``NOT LIKE 'v1$<active>$%'``), so an interrupted run simply continues where it
  stopped when started again; values already under the active key are never touched.
* **Atomic per batch.** A batch is read and written inside one transaction; on
  PostgreSQL the rows are locked (``SELECT … FOR UPDATE``), on SQLite the settings'
  ``IMMEDIATE`` transactions serialise writers. Each write is also a compare-and-set
  (``… WHERE pk = %s AND column = <the value we read>``), so a value that someone
  changed meanwhile is never overwritten with stale text; it is counted instead.
* **Silent.** Plaintext only exists in memory between ``unseal`` and ``seal``. Reports,
  progress lines and logs carry counts, labels and key ids — never values.
* **Loud on damage.** A value that cannot be opened (its key was removed from the ring,
  the key under its id is wrong, or it was tampered with) is left as it is and counted
  with the reason; the command then exits non-zero.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from django.db import connections, models, router, transaction
from django.db.models import Q

from kinga.vault import crypto
from kinga.vault.crypto import SealError
from kinga.vault.inventory import SealedColumn, sealed_columns_by_model
from kinga.vault.keyring import KeyRing

logger = logging.getLogger("kinga.vault.rotation")


@dataclass
class FieldRotation:
    """What happened to one sealed column."""

    label: str
    resealed: int = 0
    changed_meanwhile: int = 0
    unreadable: Counter[str] = field(default_factory=Counter)

    @property
    def unreadable_total(self) -> int:
        return sum(self.unreadable.values())


@dataclass
class RotationReport:
    active_key_id: str
    dry_run: bool = False
    complete: bool = True
    batches: int = 0
    fields: dict[str, FieldRotation] = field(default_factory=dict)

    @property
    def resealed(self) -> int:
        return sum(f.resealed for f in self.fields.values())

    @property
    def unreadable(self) -> int:
        return sum(f.unreadable_total for f in self.fields.values())

    def lines(self) -> list[str]:
        verb = "would re-seal" if self.dry_run else "re-sealed"
        out = []
        for item in self.fields.values():
            line = f"{item.label}: {verb} {item.resealed}"
            if item.changed_meanwhile:
                line += f", {item.changed_meanwhile} changed by someone else meanwhile"
            if item.unreadable:
                line += f", {item.unreadable_total} UNREADABLE"
            out.append(line)
            out.extend(f"    {count} x {reason}" for reason, count in item.unreadable.items())
        state = "complete" if self.complete else "stopped early; run again to continue"
        out.append(
            f"active key {self.active_key_id!r}: {verb} {self.resealed} value(s) in "
            f"{self.batches} batch(es), {self.unreadable} unreadable — {state}"
        )
        return out


@dataclass(frozen=True)
class _Write:
    new: str
    pk: object
    old: str


def _needs_work(alias: str, prefix: str) -> Q:
    # Non-empty and not already under the active key. ``__gt=""`` also excludes NULL.
    return Q(**{f"{alias}__gt": ""}) & ~Q(**{f"{alias}__startswith": prefix})


def _read_batch(
    model: type[models.Model],
    columns: list[SealedColumn],
    *,
    db: str,
    after: object,
    batch_size: int,
    prefix: str,
    lock: bool,
) -> list[tuple[object, ...]]:
    aliases = {f"_sealed_{i}": column.raw_value() for i, column in enumerate(columns)}
    needs = Q()
    for alias in aliases:
        needs |= _needs_work(alias, prefix)
    queryset = model._base_manager.using(db).annotate(**aliases).filter(needs)
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    if lock and connections[db].features.has_select_for_update:
        queryset = queryset.select_for_update()
    queryset = queryset.order_by("pk").values_list("pk", *aliases)
    return list(queryset[:batch_size])


def _write(column: SealedColumn, writes: list[_Write], *, db: str) -> int:
    """Compare-and-set each value; returns how many rows were actually updated."""
    if not writes:
        return 0
    connection = connections[db]
    quote = connection.ops.quote_name
    meta = column.model._meta
    target = quote(column.field.column)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {target} = %s "  # noqa: S608 — names are quoted identifiers
        f"WHERE {quote(meta.pk.column)} = %s AND {target} = %s"
    )
    pk_field = meta.pk
    params = [(w.new, pk_field.get_db_prep_value(w.pk, connection), w.old) for w in writes]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        updated = cursor.rowcount
    return len(writes) if updated is None or updated < 0 else updated


def _reseal_rows(
    rows: list[tuple[object, ...]],
    columns: list[SealedColumn],
    *,
    ring: KeyRing,
    prefix: str,
    results: list[FieldRotation],
) -> list[list[_Write]]:
    writes: list[list[_Write]] = [[] for _ in columns]
    for row in rows:
        pk, raws = row[0], row[1:]
        for index, (column, raw) in enumerate(zip(columns, raws, strict=True)):
            if not raw or raw.startswith(prefix):
                continue
            try:
                plain = crypto.unseal(raw, context=column.context, ring=ring)
            except SealError as error:
                # The message names the field and key id; it never holds the value.
                results[index].unreadable[str(error)] += 1
                continue
            writes[index].append(
                _Write(new=crypto.seal(plain, context=column.context, ring=ring), pk=pk, old=raw)
            )
    return writes


def rotate_keys(
    *,
    batch_size: int = 500,
    stdout: TextIO | None = None,
    dry_run: bool = False,
    max_batches: int | None = None,
    ring: KeyRing | None = None,
) -> RotationReport:
    """Re-seal every stored value whose key is not the active one. See the module doc.

    ``max_batches`` stops after that many batches (across all models); the report then
    says ``complete=False`` and a later call carries on. ``dry_run`` opens every value
    that would be re-sealed, counts, and writes nothing.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if ring is None:
        ring = crypto._ring()
    prefix = crypto.active_prefix(ring)
    report = RotationReport(active_key_id=ring.active_id, dry_run=dry_run)

    def say(message: str) -> None:
        logger.info(message)
        if stdout is not None:
            stdout.write(message + "\n")

    for model, columns in sealed_columns_by_model().items():
        results = [FieldRotation(label=column.label) for column in columns]
        for result in results:
            report.fields[result.label] = result
        db = router.db_for_write(model)
        after: object = None
        while True:
            if max_batches is not None and report.batches >= max_batches:
                report.complete = False
                say(f"stopping after {report.batches} batch(es) as asked; run again to continue")
                return report
            with transaction.atomic(using=db):
                rows = _read_batch(
                    model,
                    columns,
                    db=db,
                    after=after,
                    batch_size=batch_size,
                    prefix=prefix,
                    lock=not dry_run,
                )
                if not rows:
                    break
                writes = _reseal_rows(rows, columns, ring=ring, prefix=prefix, results=results)
                for column, result, pending in zip(columns, results, writes, strict=True):
                    if dry_run:
                        result.resealed += len(pending)
                        continue
                    done = _write(column, pending, db=db)
                    result.resealed += done
                    result.changed_meanwhile += len(pending) - done
            report.batches += 1
            after = rows[-1][0]
            say(
                f"{model._meta.label}: batch {report.batches}, "
                + ", ".join(f"{r.label.rsplit('.', 1)[1]} {r.resealed}" for r in results)
            )
            if len(rows) < batch_size:
                break
    for line in report.lines():
        logger.info(line)
    return report
