"""`auditloop cycle-remind`: the one reminders command a council schedules. It reminds auditors
of cycle audits due soon or overdue, and the owners of actions past their due date.

Safe to run more than once a day (e.g. from cron): an audit, and an action, is reminded at most
once a day."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from auditloop.audits.services.actions import action_reminders_send
from auditloop.core.refusals import Refused
from auditloop.sampling.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Send reminders for cycle audits due within N days, or overdue, and for overdue "
        "actions (once a day each)."
    )

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
        actions = action_reminders_send(today=today)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "due_soon": sent.due_soon,
                        "overdue": sent.overdue,
                        "auditors": sent.auditors,
                        "actions_overdue": actions.actions,
                        "action_owners": actions.owners,
                    }
                )
            )
        else:
            self.stdout.write(
                f"Reminders sent: {sent.due_soon} due soon, {sent.overdue} overdue; "
                f"{actions.actions} overdue actions, to {actions.owners} owners."
            )
