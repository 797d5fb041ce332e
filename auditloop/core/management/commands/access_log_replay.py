"""`auditloop access-log-replay`: write the access-log reads the database refused earlier."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from auditloop.core.accesslog import access_log_replay, spool_directory, spooled_files


class Command(BaseCommand):
    help = (
        "Write to the access log the reads kept in the spool because the database refused "
        "them (for example SQLite locked by a long import). Pages do this by themselves, one "
        "file a request, once the database takes writes again; run this to empty the spool "
        "at once, e.g. from cron. Files the database refuses for good are kept, renamed "
        ".refused (or .unreadable), for an operator."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = spool_directory()
        written = access_log_replay()
        left = len(spooled_files())
        self.stdout.write(
            f"{written} read{'s' if written != 1 else ''} written to the access log from the "
            f"spool in {directory}."
        )
        if left:
            self.stderr.write(
                f"{left} spool file{'s' if left != 1 else ''} still waiting: the database did "
                "not take them. Run this again later."
            )
        kept = sorted(
            p.name for p in directory.glob("*") if p.suffix in {".refused", ".unreadable"}
        )
        if kept:
            self.stderr.write(
                f"Kept for an operator (the database refused them, or they cannot be read): "
                f"{', '.join(kept)}."
            )
