"""`auditloop restore FILE [--replace]`: put a backup back, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditloop.core.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore a file `auditloop backup` wrote into the database DATABASE_URL names (a "
        "SQLite backup into SQLite, a PostgreSQL one into PostgreSQL). Refused while that "
        "database holds data, unless --replace. All or nothing: a restore that fails leaves "
        "the database as it was. Stop the web servers and workers first, and run "
        "`auditloop migrate` afterwards if this release is newer than the backup."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a database that already holds data with the backup",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["file"]
        try:
            engine = database_restore(source=source, replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{engine} database restored from {source}.")
