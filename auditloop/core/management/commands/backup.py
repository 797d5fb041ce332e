"""`auditloop backup --out FILE`: a consistent copy of the whole database, taken while it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditloop.core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the database DATABASE_URL names to one file, while the service runs: "
        "SQLite through its online backup API (the file is a SQLite database), PostgreSQL "
        "through pg_dump's custom format. The file holds every child's data: keep it as "
        "securely as the database. Restore it with `auditloop restore FILE`."
    )
    # A backup must not wait for, or fail on, the checks of a running service's code.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", required=True, type=Path, help="the file to write (replaced if it exists)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = database_backup(out=options["out"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.engine} database backed up to {result.path} ({result.size:,} bytes)."
        )
