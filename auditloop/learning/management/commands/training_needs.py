"""`auditloop training-needs`: check the training rules for a cycle, as an audit lead's "Check
the rules" button does, from the command line or a nightly cron job (like `cycle-remind`, the
product's other scheduled command: the task queue is kept for uploads a person waits on).

Without `--cycle` it checks every cycle running today or ended in the last 30 days, so a nightly
run raises a need as soon as the audits show it. Running it again changes nothing."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from auditloop.learning.services.training import training_needs_raise
from auditloop.sampling.models import Cycle

RECENT_DAYS = 30


class Command(BaseCommand):
    help = "Check the training rules against a cycle's audits and raise the needs that fire."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", help="the cycle's name or id (default: current cycles)")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON line per cycle")

    def _cycles(self, options: dict[str, Any]) -> list[Cycle]:
        chosen = options["cycle"]
        if chosen:
            match = Q(name=chosen)
            if chosen.isdigit():
                match |= Q(pk=int(chosen))
            cycles = list(Cycle.objects.filter(match))
            if len(cycles) != 1:
                raise CommandError(
                    f"No one cycle is called {chosen!r}: give its exact name or its id."
                )
            return cycles
        today = options["today"] or timezone.localdate()
        recent = today - datetime.timedelta(days=RECENT_DAYS)
        return list(
            Cycle.objects.filter(starts_on__lte=today, ends_on__gte=recent).order_by("starts_on")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for cycle in self._cycles(options):
            outcome = training_needs_raise(cycle=cycle, by=None)
            if options["json"]:
                line = {
                    "cycle": cycle.name,
                    "raised": len(outcome.raised),
                    "already": outcome.already,
                    "too_few": outcome.too_few,
                }
                self.stdout.write(json.dumps(line))
            else:
                self.stdout.write(
                    f"{cycle.name}: {len(outcome.raised)} needs raised, "
                    f"{outcome.already} raised before."
                )
