"""Reminding auditors of cycle audits due soon or overdue (`auditloop cycle-remind`): one
message each, at most once a day an audit. A cycle audit that stays late is escalated step by
step: after the cycle's `late_to_manager_days` to the auditor's manager, after its
`late_to_lead_days` to the audit lead; each person told in one message, at most once a day."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit, AuditStatus
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send
from auditloop.sampling.models import Cycle, LateEscalation, LateStep, ReminderKind, ReminderSent


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


@dataclass(frozen=True)
class LateEscalated:
    to_managers: int  # late audits at the manager's step
    to_leads: int  # late audits at the audit lead's step
    people: int  # people told: one message each, however many audits


def _cycle_lead(cycle: Cycle) -> list[StaffMember]:
    """The audit lead told of a cycle's late audits: the lead who planned the cycle, while
    they are an active audit lead; otherwise every active audit lead over its services."""
    creator = getattr(cycle.created_by, "staff", None) if cycle.created_by_id else None
    if creator is not None and creator.is_active and creator.role == Role.MODERATOR:
        return [creator]
    return list(
        StaffMember.objects.filter(
            role=Role.MODERATOR, is_active=True, services__cycles=cycle
        ).distinct()
    )


def _recipients(audit: Audit, step: str, leads: dict[int, list[StaffMember]]) -> list[StaffMember]:
    """Who a late audit reaches at this step. An auditor with no active manager recorded
    escalates to the audit lead at the manager's step, so that no late audit goes unseen."""
    cycle = audit.cycle_link.cycle
    if cycle.pk not in leads:
        leads[cycle.pk] = _cycle_lead(cycle)
    manager = audit.auditor.manager
    if step == LateStep.MANAGER and manager is not None and manager.is_active:
        return [manager]
    return leads[cycle.pk]


def _late_message(lines: list[tuple[Audit, int]]) -> str:
    by_auditor: dict[str, list[int]] = {}
    for audit, days in lines:
        by_auditor.setdefault(audit.auditor.name, []).append(days)
    parts = [
        f"{name}: {len(days)} (up to {max(days)} day{'s' if max(days) != 1 else ''} late)"
        for name, days in sorted(by_auditor.items())
    ]
    noun = "audit is" if len(lines) == 1 else "audits are"
    return f"{len(lines)} cycle {noun} late and escalated to you. " + "; ".join(parts) + "."


@transaction.atomic
def late_audits_escalate(*, today: datetime.date) -> LateEscalated:
    """Escalate every late cycle audit (planned or in progress, past its due date) to the step
    its days late have reached, and tell each person it reaches, in one message a day. Run
    twice on one day, the second run tells no one. A step reached is recorded once, with an
    event; an audit at the lead's step stays with the manager too."""
    late = (
        Audit.objects.filter(
            cycle_link__isnull=False,
            status__in=(AuditStatus.PLANNED, AuditStatus.IN_PROGRESS),
            due_date__lt=today,
        )
        .select_related("auditor__manager", "cycle_link__cycle__created_by__staff")
        .order_by("due_date", "pk")
    )
    known = {
        (e.audit_id, e.step, e.recipient_id): e
        for e in LateEscalation.objects.filter(audit__in=late)
    }
    leads: dict[int, list[StaffMember]] = {}
    to_tell: dict[int, tuple[StaffMember, list[tuple[Audit, int]]]] = {}
    counts = {LateStep.MANAGER: 0, LateStep.LEAD: 0}
    for audit in late:
        cycle = audit.cycle_link.cycle
        days = (today - (audit.due_date or today)).days
        steps = [
            step
            for step, after in (
                (LateStep.MANAGER, cycle.late_to_manager_days),
                (LateStep.LEAD, cycle.late_to_lead_days),
            )
            if days >= after
        ]
        if steps:
            counts[steps[-1]] += 1
        for step in steps:
            for person in _recipients(audit, step, leads):
                escalation = known.get((audit.pk, step, person.pk))
                if escalation is None:
                    LateEscalation.objects.create(
                        audit=audit,
                        step=step,
                        recipient=person,
                        escalated_on=today,
                        notified_on=today,
                    )
                    event_record(
                        actor=None,
                        verb="audit.late_escalated",
                        target=audit,
                        summary=f"{days} days late: escalated to {LateStep(step).label.lower()}",
                        after={"step": step, "days_late": days, "to": person.name},
                    )
                elif escalation.notified_on >= today:
                    continue
                else:
                    escalation.notified_on = today
                    escalation.save(update_fields=["notified_on"])
                lines = to_tell.setdefault(person.pk, (person, []))[1]
                if all(a.pk != audit.pk for a, _ in lines):
                    lines.append((audit, days))
    for person, lines in to_tell.values():
        cycles = {a.cycle_link.cycle for a, _ in lines}
        url = (
            reverse("sampling:cycle_overview", kwargs={"public_id": next(iter(cycles)).public_id})
            if len(cycles) == 1
            else reverse("home")
        )
        notification_send(
            recipients=[person],
            message=_late_message(lines),
            url=url,
            email_subject="Late audits escalated to you",
        )
    return LateEscalated(counts[LateStep.MANAGER], counts[LateStep.LEAD], len(to_tell))
