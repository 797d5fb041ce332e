"""`auditloop cycle-remind`: the one reminders command a council schedules. It reminds auditors
of cycle audits due soon or overdue, escalates late cycle audits to the auditor's manager and
then to the audit lead (after the days each cycle sets), and reminds the owners of actions past
their due date.

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
from auditloop.sampling.services.reminders import late_audits_escalate, reminders_send


class Command(BaseCommand):
    help = (
        "Send reminders for cycle audits due within N days, or overdue, escalate late "
        "cycle audits, and remind owners of overdue actions (once a day each)."
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
        late = late_audits_escalate(today=today)
        actions = action_reminders_send(today=today)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "due_soon": sent.due_soon,
                        "overdue": sent.overdue,
                        "auditors": sent.auditors,
                        "late_to_managers": late.to_managers,
                        "late_to_leads": late.to_leads,
                        "late_people_told": late.people,
                        "actions_overdue": actions.actions,
                        "action_owners": actions.owners,
                    }
                )
            )
        else:
            self.stdout.write(
                f"Reminders sent: {sent.due_soon} due soon, {sent.overdue} overdue; "
                f"late audits escalated: {late.to_managers} to managers, {late.to_leads} to "
                f"audit leads ({late.people} people told); "
                f"{actions.actions} overdue actions, to {actions.owners} owners."
            )
