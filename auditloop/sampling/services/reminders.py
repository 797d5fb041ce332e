"""Reminding auditors of cycle audits due soon or overdue (`auditloop cycle-remind`): one
message each, at most once a day an audit."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats

from auditloop.audits.models import Audit, AuditStatus
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send
from auditloop.sampling.models import ReminderKind, ReminderSent


@dataclass(frozen=True)
class RemindersSent:
    due_soon: int
    overdue: int
    auditors: int  # people reminded: one message each, however many audits


def _reminder_message(audits: Sequence[Audit], today: datetime.date) -> tuple[str, str, str]:
    """(message, email subject, url) for one auditor's audits due soon or overdue."""
    late = [a for a in audits if a.due_date is not None and a.due_date < today]
    soon = [a for a in audits if a not in late]
    parts = []
    if late:
        parts.append(f"{len(late)} overdue")
    if soon:
        first = min(a.due_date for a in soon if a.due_date is not None)
        parts.append(f"{len(soon)} due soon (the first on {formats.date_format(first, 'j F Y')})")
    cycles = sorted({a.cycle_link.cycle.name for a in audits})
    noun = "audit" if len(audits) == 1 else "audits"
    message = f"Your {noun} in {', '.join(cycles)}: {' and '.join(parts)}."
    subject = "Audits overdue" if late else "Audits due soon"
    if len(audits) == 1:
        try:
            url = reverse("audits:detail", args=[audits[0].public_id])
        except NoReverseMatch:
            url = reverse("audits:list")
    else:
        url = reverse("audits:list")
    return message, subject, url


@transaction.atomic
def reminders_send(*, today: datetime.date, within_days: int = 7) -> RemindersSent:
    """Remind each auditor, in one message, of their cycle audits due within `within_days`
    days or overdue. Idempotent per day: an audit reminded today is not reminded again
    until tomorrow."""
    if within_days < 0:
        raise Refused("The number of days ahead cannot be negative.")
    already = ReminderSent.objects.filter(sent_on=today).values("audit_id")
    audits = (
        Audit.objects.filter(
            cycle_link__isnull=False,
            status__in=(AuditStatus.PLANNED, AuditStatus.IN_PROGRESS),
            due_date__isnull=False,
            due_date__lte=today + datetime.timedelta(days=within_days),
        )
        .exclude(pk__in=already)
        .select_related("auditor", "cycle_link__cycle")
        .order_by("auditor__name", "auditor_id", "due_date", "pk")
    )
    by_auditor: dict[int, list[Audit]] = {}
    for audit in audits:
        by_auditor.setdefault(audit.auditor_id, []).append(audit)
    due_soon = overdue = 0
    for mine in by_auditor.values():
        message, subject, url = _reminder_message(mine, today)
        notification_send(
            recipients=[mine[0].auditor], message=message, url=url, email_subject=subject
        )
        for audit in mine:
            due = audit.due_date or today  # the query excludes audits without a due date
            kind = ReminderKind.OVERDUE if due < today else ReminderKind.DUE_SOON
            if kind == ReminderKind.OVERDUE:
                overdue += 1
            else:
                due_soon += 1
            ReminderSent.objects.create(audit=audit, sent_on=today, kind=kind)
            event_record(
                actor=None,
                verb="audit.reminder_sent",
                target=audit,
                summary=f"Reminder sent: {ReminderKind(kind).label.lower()}",
                after={"kind": kind, "due_date": due.isoformat()},
            )
    return RemindersSent(due_soon, overdue, len(by_auditor))
