"""`auditloop retention [--dry-run] [--batch-size N]`: delete or anonymise what the council's
retention schedule finds due today (the same service as the "Run retention now" button).
Prints kinds and counts only, never a child's ID or anyone's name."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditloop.privacy.selectors.retention import retention_due
from auditloop.privacy.services.retention import (
    BATCH_SIZE,
    retention_run,
    retention_schedule_seed,
)


class Command(BaseCommand):
    help = (
        "Apply the retention schedule: delete or anonymise every record whose period has "
        "ended, in batches, leaving records about a case on legal hold. With --dry-run, list "
        "what would go, kind by kind, and change nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Records per transaction (and per event); default {BATCH_SIZE}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["dry_run"]:
            retention_schedule_seed()
            self.stdout.write("Dry run: nothing is changed.")
            for line in retention_due():
                held = f" ({line.held} kept by legal holds)" if line.held else ""
                self.stdout.write(f"{line.label}: {line.count} would be {line.done_word}{held}")
            return
        for done in retention_run(by=None, batch_size=options["batch_size"]):
            self.stdout.write(
                f"{done.label}: {done.count} {done.done_word} in {done.batches} "
                f"batch{'es' if done.batches != 1 else ''}"
            )
