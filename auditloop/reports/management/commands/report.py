"""`auditloop report cycle --cycle ID|latest --format html|pdf|docx --out FILE
[--audience committee|leaders]`: the six-month cycle review as a file, built from the database
in use, counting as the pages do (`review_scope`: no reader, every blind moderation left out).
The committee's anonymised version unless `--audience leaders` asks for the leaders' (with
team names). Exit status 2 when the cycle, the format or the file cannot be used."""

from __future__ import annotations

import datetime
import os
import uuid
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from auditloop.reports.documents import AUDIENCES, FORMATS, cycle_review_bytes
from auditloop.reports.models import Audience
from auditloop.sampling.models import Cycle

EXIT_REFUSED = 2
VERSION_WORDS = {
    Audience.COMMITTEE.value: "committee's anonymised version",
    Audience.LEADERS.value: "leaders' version (with team names)",
}
LATEST = "latest"


def latest_ended_cycle(today: datetime.date) -> Cycle | None:
    """The cycle that ended most recently (its last day before `today`)."""
    return Cycle.objects.filter(ends_on__lt=today).order_by("-ends_on", "-starts_on", "-id").first()


def today() -> datetime.date:
    return timezone.localdate()


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


class Command(BaseCommand):
    help = "Reports as files. `report cycle`: the six-month cycle review of one cycle."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        cycle = reports.add_parser(
            "cycle",
            help="the six-month cycle review",
            description=(
                "The six-month cycle review of a cycle as HTML, PDF or Word: the committee's "
                "anonymised version (no child, no team, no member of staff named; small groups "
                "and small counts not shown) unless --audience leaders. Every audit counts. "
                "Exit status 2 when the cycle, format or file cannot be used."
            ),
        )
        cycle.add_argument(
            "--cycle",
            required=True,
            metavar="ID",
            help=(
                "the cycle's id (as in its page's address), or its exact name, or 'latest' "
                "for the most recent cycle that has ended"
            ),
        )
        cycle.add_argument(
            "--format",
            required=True,
            metavar="|".join(FORMATS),
            dest="fmt",
            help="a standalone web page, a PDF or a Word document",
        )
        cycle.add_argument(
            "--out", required=True, type=Path, metavar="FILE", help="the file to write"
        )
        cycle.add_argument(
            "--audience",
            default=Audience.COMMITTEE.value,
            metavar="|".join(AUDIENCES),
            help="the committee's anonymised version (the default) or the leaders' version, "
            "with team names. `auditloop report -v 2 cycle ...` shows the build's progress.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = str(options["fmt"]).lower()
        if fmt not in FORMATS:
            self._refuse(f"--format {options['fmt']!r}: choose one of {', '.join(FORMATS)}.")
        audience = str(options["audience"]).lower()
        if audience not in AUDIENCES:
            self._refuse(
                f"--audience {options['audience']!r}: choose one of {', '.join(AUDIENCES)}."
            )
        out: Path = options["out"]
        self._check_writable(out)
        cycle = self._cycle(str(options["cycle"]))
        verbose = int(options.get("verbosity", 1)) > 1

        def progress(percent: int, words: str) -> None:
            if verbose:
                self.stderr.write(f"{percent:3d}%  {words}")

        content = cycle_review_bytes(cycle=cycle, audience=audience, fmt=fmt, on_progress=progress)
        try:
            out.write_bytes(content)
        except OSError as exc:
            self._refuse(f"--out {out}: cannot write the file ({exc.strerror or exc}).")
        self.stdout.write(
            f"Wrote the {VERSION_WORDS[audience]} of the cycle review of {cycle.name} "
            f"({_day(cycle.starts_on)} to {_day(cycle.ends_on)}) as {fmt.upper()}, "
            f"{len(content):,} bytes, to {out}."
        )

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(EXIT_REFUSED)

    def _check_writable(self, out: Path) -> None:
        """Refused before the build (which can take a while) rather than after it."""
        if out.is_dir():
            self._refuse(f"--out {out}: is a folder; give a file name.")
        folder = out.parent if str(out.parent) else Path()
        if not folder.is_dir():
            self._refuse(f"--out {out}: the folder {folder} does not exist.")
        if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
            self._refuse(f"--out {out}: you may not write there.")

    def _cycle(self, given: str) -> Cycle:
        wanted = given.strip()
        if wanted.lower() == LATEST:
            found = latest_ended_cycle(today())
            if found is None:
                self._refuse(
                    "--cycle latest: no cycle has ended yet. Give a cycle's id to review a "
                    "cycle still running."
                )
            return found
        try:
            found = Cycle.objects.filter(public_id=uuid.UUID(wanted)).first()
        except ValueError:
            named = list(Cycle.objects.filter(name__iexact=wanted)[:2])
            found = named[0] if len(named) == 1 else None
        if found is None:
            recent = [
                f"  {cycle.public_id}  {cycle.name} ({_day(cycle.starts_on)} to "
                f"{_day(cycle.ends_on)})"
                for cycle in Cycle.objects.order_by("-starts_on", "-id")[:5]
            ]
            listed = ("\nThe latest cycles:\n" + "\n".join(recent)) if recent else ""
            self._refuse(
                f"--cycle {given!r}: no cycle has this id (or this name, once). Give the id "
                f"from the cycle's page address, or 'latest'.{listed}"
            )
        return found
