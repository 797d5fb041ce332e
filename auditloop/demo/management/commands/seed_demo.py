"""`auditloop seed-demo --size small|large|national --seed N [--replace]`: build the demo council.

`national` (DESIGN.md's national scale: 400,000 cases, 200,000 audits) is built on PostgreSQL
only, always at full size; SQLite is refused with the reason and what to use instead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from auditloop.demo.builder import SIZES, demo_council_build


class Command(BaseCommand):
    help = (
        "Build the demo council (services, teams, staff, children's case files and audits) "
        "deterministically from a seed. Refuses a database that already holds a council "
        "unless --replace is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed builds the same data."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the council this database holds (every service, team, staff member, "
            "login, case, audit tool and audit) and build the demo council in its place.",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Shrink or grow the council, keeping its make-up (e.g. 0.1 for quick tests); "
            "not for national, which is always built at DESIGN.md's national scale.",
        )

        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="Build the council's history as it stands on this day (default today): the "
            "same seed and day give the same rows.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["size"] == "national" and options["scale"] != 1:
            raise CommandError(
                "The national council is always built at full size (400,000 cases, 200,000 "
                "audits): leave out --scale, or use --size large --scale N."
            )
        try:
            summary = demo_council_build(
                size=options["size"],
                seed=options["seed"],
                scale=options["scale"],
                replace=options["replace"],
                today=options["as_of"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Built the {summary.size} demo council (seed {summary.seed}) "
            f"in {summary.seconds:.1f} seconds:"
        )
        for name, count in summary.counts.items():
            self.stdout.write(f"  {count:>9,}  {name}")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                (size,) = cursor.fetchone()
            self.stdout.write(f"The database now takes {size}.")
        self.stdout.write("Run `auditloop demo` to set the demo logins' password and start it.")
