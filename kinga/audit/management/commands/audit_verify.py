"""``manage.py audit_verify`` (``kinga audit verify``): check the audit hash chain.

Prints one line. Exits 0 when the chain is intact, 1 (``SystemExit``) at the first
broken link, naming its ``seq`` and the reason.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kinga.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit 1 at the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="events read per query (default 5000)"
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        report = verify_chain(batch_size=max(1, batch_size))
        if report.ok:
            self.stdout.write(report.summary())
            return
        self.stderr.write(report.summary())
        raise SystemExit(1)
