"""`auditloop leavers`: run once a day (early in the morning). Everyone whose end date on the
staff list has come is marked as left: their login closed, their sessions ended and their API
tokens revoked, with one event each. Records of sessions that have expired are forgotten."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from auditloop.accounts.selectors import leavers_due
from auditloop.accounts.services.sessions import leaver_sign_out, signed_in_sessions_prune


class Command(BaseCommand):
    help = (
        "Close the logins of staff whose end date on the staff list has come, ending their "
        "sessions and revoking their API tokens (one event per person), and forget the "
        "records of expired sessions. Run it daily; a leaver's session already stops working "
        "on their end date before it runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        leavers = leavers_due(today)
        for staff in leavers:
            ended = leaver_sign_out(staff=staff, today=today)
            self.stdout.write(
                f"{staff.name} (left {staff.end_date:%d %B %Y}): login closed, "
                f"{ended.sessions} {'session' if ended.sessions == 1 else 'sessions'} ended, "
                f"{ended.tokens} API {'token' if ended.tokens == 1 else 'tokens'} revoked."
            )
        forgotten = signed_in_sessions_prune(now=timezone.now())
        self.stdout.write(
            f"{len(leavers)} {'leaver' if len(leavers) == 1 else 'leavers'}; "
            f"{forgotten} expired session {'record' if forgotten == 1 else 'records'} forgotten."
        )
