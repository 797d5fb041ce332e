"""`auditloop agreement [--json] [--cycle ID]`: how far auditors and moderators agree, per
question and overall, from the database in use; `auditloop agreement --ratings FILE.csv
[--json]`: the same figures for any ratings in a CSV with the header item,rater,grade."""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from auditloop.assurance.rules.agreement import (
    AgreementFigures,
    agreement_of_ratings,
    figures_unavailable,
)
from auditloop.assurance.rules.ratings_csv import HEADER, RatingsFileError, ratings_read
from auditloop.assurance.selectors.agreement import (
    AgreementRow,
    agreement_by_question,
    agreement_cycles,
    agreement_pooled,
    cycle_dates,
)
from auditloop.sampling.models import Cycle

EXIT_UNREADABLE = 2


def _figures(row: AgreementRow) -> AgreementFigures:
    """The row's figures (the command line withholds nothing, but a row could say why not)."""
    return row.figures if row.figures is not None else figures_unavailable(row.withheld)


class Command(BaseCommand):
    help = (
        "Agreement between auditors' grades and moderators' blind grades, per question and "
        "overall: exact, within one grade, Cohen's weighted kappa (linear and quadratic), "
        "Krippendorff's alpha (ordinal), each with its N and a bootstrap 95% interval. With "
        f"--ratings, the same figures for a CSV file with the header {HEADER}. Exit code 2 "
        "when the file or the cycle cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--cycle", metavar="ID", help="only this cycle's audits (its id)")
        source.add_argument(
            "--ratings", type=Path, metavar="FILE.csv", help=f"a CSV file: {HEADER}"
        )
        parser.add_argument(
            "--lowest", type=int, help="with --ratings: the scale's lowest grade, if unused"
        )
        parser.add_argument(
            "--highest", type=int, help="with --ratings: the scale's highest grade, if unused"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["ratings"] is None and (
            options["lowest"] is not None or options["highest"] is not None
        ):
            self._refuse("--lowest and --highest describe a --ratings file's scale.")
        if options["ratings"] is not None:
            self._from_file(options["ratings"], options)
        else:
            self._from_database(options["cycle"], json_out=options["json"])

    def _refuse(self, message: str) -> NoReturn:
        self.stderr.write(message)
        raise SystemExit(EXIT_UNREADABLE)

    # A ratings file ------------------------------------------------------------------------

    def _from_file(self, path: Path, options: dict[str, Any]) -> None:
        try:
            read = ratings_read(path, lowest=options["lowest"], highest=options["highest"])
        except RatingsFileError as exc:
            self._refuse(str(exc))
        figures = agreement_of_ratings(read.ratings, scale=read.scale)
        scale = [read.scale[0], read.scale[-1]]
        if options["json"]:
            out = figures.as_json()
            out.update(file=str(path), scale=scale)
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(f"Agreement in {path.name}: grades {scale[0]} to {scale[1]}")
        self._table(figures)

    # The database ----------------------------------------------------------------------------

    def _cycle(self, given: str) -> Cycle:
        found = None
        with contextlib.suppress(ValueError):
            found = Cycle.objects.filter(public_id=uuid.UUID(given.strip())).first()
        if found is None:
            recent = [
                f"  {cycle.public_id}  {cycle.name} ({cycle_dates(cycle)})"
                for cycle in agreement_cycles(service_ids=None)[:5]
            ]
            listed = ("\nThe latest cycles:\n" + "\n".join(recent)) if recent else ""
            self._refuse(
                f"--cycle {given!r}: no cycle has this id. Give the id from the cycle's page "
                f"address, or leave --cycle out for every cycle.{listed}"
            )
        return found

    def _from_database(self, given: str | None, *, json_out: bool) -> None:
        cycle = self._cycle(given) if given is not None else None
        pooled = agreement_pooled(service_ids=None, cycle=cycle)
        questions = agreement_by_question(service_ids=None, cycle=cycle)
        if json_out:
            self.stdout.write(json.dumps(self._as_json(cycle, pooled, questions)))
            return
        where = f"cycle {cycle.name} ({cycle_dates(cycle)})" if cycle else "every cycle"
        self.stdout.write(f"Agreement between auditors and moderators, {where}")
        for row in [pooled, *questions]:
            self.stdout.write("")
            self.stdout.write(row.label + (f" ({row.hint})" if row.hint else ""))
            self._table(_figures(row))

    @staticmethod
    def _as_json(
        cycle: Cycle | None, pooled: AgreementRow, questions: list[AgreementRow]
    ) -> dict[str, Any]:
        out = _figures(pooled).as_json()
        out["cycle"] = (
            None
            if cycle is None
            else {"id": str(cycle.public_id), "name": cycle.name, "dates": cycle_dates(cycle)}
        )
        out["by_question"] = [
            {"question": row.label, "tool": row.hint or None, **_figures(row).as_json()}
            for row in questions
        ]
        return out

    # A readable table ------------------------------------------------------------------------

    def _table(self, figures: AgreementFigures) -> None:
        self.stdout.write(f"{figures.n_items} items, {figures.n_raters} raters")
        rows = [("Figure", "Value", "95% interval", "N", "Reading")]
        notes = []
        for figure in figures.figures:
            if figure.value is None:
                rows.append((figure.name, "-", "", "", "not enough to say"))
                notes.append(f"  {figure.name}: {figure.reason}")
                continue
            reading = f"{figure.reading}, {figure.reading_scale}" if figure.reading else ""
            rows.append(
                (
                    figure.name,
                    figure.value_text,
                    figure.interval_text or "none",
                    figure.n_text,
                    reading,
                )
            )
            if figure.interval_reason:
                notes.append(f"  {figure.name}: {figure.interval_reason}")
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write(("  " + "  ".join([*cells, row[4]])).rstrip())
        for note in notes:
            self.stdout.write(note)
