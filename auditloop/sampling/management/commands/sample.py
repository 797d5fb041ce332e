"""`auditloop sample`: draw a sample from the command line, with the web page's rules."""

from __future__ import annotations

import datetime
import json
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditloop.accounts.models import Service, StaffMember, Team
from auditloop.cases.models import Cohort
from auditloop.core.refusals import Refused
from auditloop.sampling.rules.draws import DrawResult, DrawSpec
from auditloop.sampling.selectors.draws import draw_preview
from auditloop.sampling.services.draws import draw_save


def _margin(value: str) -> float:
    """0.05 and 5 both mean five percentage points."""
    number = float(value)
    return number / 100 if number >= 1 else number


class Command(BaseCommand):
    help = (
        "Draw a reproducible sample of case files. Prints the population size, the margin of "
        "error and the chosen LA child IDs in draw order; stores nothing unless --save."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cohort", choices=Cohort.values, help="CIN, CP, CLA or CL")
        size = parser.add_mutually_exclusive_group(required=True)
        size.add_argument("--size", type=int, help="the number of cases to draw")
        size.add_argument("--percentage", type=float, help="the percentage of cases to draw")
        size.add_argument(
            "--margin",
            type=_margin,
            help="size for this margin of error (0.05 or 5 for five percentage points)",
        )
        parser.add_argument("--confidence", type=float, default=0.95, help="default 0.95")
        parser.add_argument("--seed", type=int, help="default: a random seed, printed")
        parser.add_argument("--service", action="append", default=[], help="a service's name")
        parser.add_argument("--team", help="a team's name")
        parser.add_argument("--open-on", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--stratify", choices=["team", "service"], default="")
        parser.add_argument("--allocation", choices=["proportional", "equal"])
        parser.add_argument("--exclude-months", type=int, default=12)
        parser.add_argument(
            "--auditor",
            action="append",
            default=[],
            help="email of an auditor: leave out the cases they hold or manage",
        )
        parser.add_argument("--save", action="store_true", help="store the draw")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        services = self._services(options["service"])
        team = self._team(options["team"], services)
        auditors = self._auditors(options["auditor"])
        method = (
            "count"
            if options["size"] is not None
            else "percentage"
            if options["percentage"] is not None
            else "confidence"
        )
        try:
            spec = DrawSpec(
                seed=options["seed"] if options["seed"] is not None else secrets.randbelow(10**9),
                cohort=options["cohort"] or "",
                service_ids=tuple(s.pk for s in services),
                team_id=team.pk if team else None,
                open_on=options["open_on"],
                exclude_months=options["exclude_months"],
                stratify=options["stratify"],
                allocation=options["allocation"] or "proportional",
                size_method=method,
                size=options["size"],
                percentage=options["percentage"],
                confidence=options["confidence"],
                margin=options["margin"],
            )
            # What is printed is what is stored: the draw is worked out once.
            saved = draw_save(spec=spec, by=None, auditors=auditors) if options["save"] else None
            result = saved.result if saved else draw_preview(spec, auditors=auditors)
        except (ValueError, Refused) as exc:
            raise CommandError(str(exc)) from exc
        draw_id = str(saved.draw.public_id) if saved else None
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(result, draw_id)))
            return
        self._print(result, draw_id)

    def _services(self, names: list[str]) -> list[Service]:
        found = []
        for name in names:
            service = Service.objects.filter(name__iexact=name.strip()).first()
            if service is None:
                raise CommandError(f"No service is called {name!r}.")
            found.append(service)
        return found

    def _team(self, name: str | None, services: list[Service]) -> Team | None:
        if not name:
            return None
        teams = Team.objects.filter(name__iexact=name.strip())
        if services:
            teams = teams.filter(service__in=services)
        matches = list(teams[:2])
        if not matches:
            raise CommandError(f"No team is called {name!r}.")
        if len(matches) > 1:
            raise CommandError(f"More than one team is called {name!r}: add --service.")
        return matches[0]

    def _auditors(self, emails: list[str]) -> list[StaffMember]:
        found = []
        for email in emails:
            person = StaffMember.objects.filter(email__iexact=email.strip()).first()
            if person is None:
                raise CommandError(f"No member of staff has the email {email!r}.")
            found.append(person)
        return found

    def _as_json(self, result: DrawResult, draw_id: str | None) -> dict[str, Any]:
        return {
            "population": result.population_size,
            "margin_of_error": None
            if result.margin_of_error is None
            else round(result.margin_of_error, 6),
            "child_ids": result.chosen_child_ids(),
            "size": result.size,
            "seed": result.spec.seed,
            "confidence": result.spec.confidence,
            "matched": result.matched,
            "excluded": {reason: len(ids) for reason, ids in result.exclusions.items()},
            "strata": [
                {"label": s.label, "population": s.population, "chosen": s.allocated}
                for s in result.strata
            ],
            "draw": draw_id,
        }

    def _print(self, result: DrawResult, draw_id: str | None) -> None:
        out = self.stdout
        out.write(f"Cases matching the filters: {result.matched}")
        for reason, ids in sorted(result.exclusions.items()):
            out.write(f"Left out ({reason.lower()}): {len(ids)}")
        out.write(f"Population: {result.population_size}")
        margin = result.margin_percent
        margin_text = "not defined" if margin is None else f"±{margin} percentage points"
        confidence = round(result.spec.confidence * 100)
        out.write(f"Sample: {result.size} (margin of error {margin_text} at {confidence}%)")
        out.write(f"Seed: {result.spec.seed}")
        for position, child_id in enumerate(result.chosen_child_ids(), start=1):
            out.write(f"{position:>5}  {child_id}")
        if draw_id:
            out.write(f"Saved as draw {draw_id}")
