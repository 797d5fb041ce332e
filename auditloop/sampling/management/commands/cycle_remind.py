"""`auditloop cycle-remind`: remind auditors of cycle audits due soon or overdue.

Safe to run more than once a day (e.g. from cron): an audit is reminded at most once a day."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from auditloop.core.refusals import Refused
from auditloop.sampling.services.reminders import reminders_send


class Command(BaseCommand):
    help = "Send reminders for cycle audits due within N days, or overdue (once a day each)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--within-days", type=int, default=7, help="default 7")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or timezone.localdate()
        try:
            sent = reminders_send(today=today, within_days=options["within_days"])
        except Refused as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"due_soon": sent.due_soon, "overdue": sent.overdue, "auditors": sent.auditors}
                )
            )
        else:
            self.stdout.write(f"Reminders sent: {sent.due_soon} due soon, {sent.overdue} overdue.")
