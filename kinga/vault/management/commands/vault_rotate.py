"""``kinga keys rotate``: re-seal stored values under the active key, then show usage."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kinga.vault.rotation import rotate_keys
from kinga.vault.status import key_totals, key_usage, removable_key_ids


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


class Command(BaseCommand):
    help = (
        "Re-seal every stored sealed value whose key is not the first (active) key in "
        "KINGA_FIELD_KEYS. Resumable: run it again after an interruption."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=_positive, default=500, help="rows per transaction (500)"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="open every value that would be re-sealed and count; write nothing",
        )
        parser.add_argument(
            "--max-batches",
            type=_positive,
            default=None,
            help="stop after this many batches (a later run continues)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = rotate_keys(
            batch_size=options["batch_size"],
            dry_run=options["dry_run"],
            max_batches=options["max_batches"],
            stdout=self.stdout if options["verbosity"] >= 2 else None,
        )
        for line in report.lines():
            self.stdout.write(line)
        if not report.dry_run:
            # Counts and key ids only: which values moved is not the audit's business.
            from kinga.audit.models import AuditAction
            from kinga.audit.services import audit_record

            audit_record(
                actor=None,
                action=AuditAction.KEY_ROTATE,
                target_type="vault.keyring",
                target_id=report.active_key_id,
                detail={
                    "resealed": report.resealed,
                    "unreadable": report.unreadable,
                    "complete": report.complete,
                },
            )
        usage = key_usage()
        totals = key_totals(usage)
        self.stdout.write(
            "values per key now: "
            + (", ".join(f"{key_id}={n}" for key_id, n in totals.items()) or "none stored")
        )
        if report.complete and not report.dry_run:
            removable = removable_key_ids(usage)
            if removable:
                self.stdout.write(
                    "no value uses key(s) "
                    + ", ".join(removable)
                    + " any more: they can be removed from KINGA_FIELD_KEYS"
                )
        if report.unreadable:
            raise CommandError(
                f"{report.unreadable} value(s) could not be opened and were left as they are; "
                "see the reasons above"
            )
