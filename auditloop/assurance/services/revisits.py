"""Scheduling revisits: by an audit lead, for any submitted or completed audit, with a reason;
and after moderation, when the grade agreed for an audit is Inadequate.

A revisit is an audit of type revisit (`Audit.revisit_of`) of the same case on the same version
of the audit tool as the earlier audit, so the questions line up; it is due the cycle's
`revisit_weeks` from today (six weeks where the audit belongs to no cycle), is placed in the
earlier audit's cycle, and goes to the earlier audit's auditor while they are still active and
independent of the case, else to the auditor the lead chooses."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.assurance.access.revisits import LEADS_ONLY, can_schedule_revisit
from auditloop.assurance.selectors.revisits import (
    audit_leads_over,
    revisit_cycle,
    revisit_scheduled_message,
    unfinished_revisit,
)
from auditloop.audits.models import Audit, AuditType
from auditloop.audits.rules import auditor_is_independent
from auditloop.audits.services.feedback import audit_url_for
from auditloop.audits.services.planning import audit_create
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send
from auditloop.sampling.models import CycleAudit

# Where the audit belongs to no cycle (planned by hand): the practice guide's default.
DEFAULT_REVISIT_WEEKS = 6
AFTER_AGREEMENT_REASON = (
    "The overall grade agreed at moderation is Inadequate: the case is revisited to see what "
    "has changed for the child."
)


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def revisit_weeks(audit: Audit) -> int:
    cycle = revisit_cycle(audit)
    return cycle.revisit_weeks if cycle is not None else DEFAULT_REVISIT_WEEKS


def revisit_due_default(audit: Audit, *, today: datetime.date | None = None) -> datetime.date:
    """When a revisit of `audit` scheduled today is due: the cycle's weeks from today."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(weeks=revisit_weeks(audit))


def earlier_auditor_unavailable(audit: Audit) -> str:
    """Why the earlier audit's auditor cannot do its revisit, in a sentence, or "" if they can.

    Independence is judged against the case now, not the earlier audit as it was
    (`independent_of_audit`): the revisit is a new audit of the case as it is today, of its
    current worker's and team's practice, and `audit_create` judges every new audit so."""
    auditor = audit.auditor
    if not auditor.is_active:
        return f"{auditor.name}, who did the earlier audit, is no longer an active member of staff."
    if not auditor.can_audit:
        return f"{auditor.name}, who did the earlier audit, can no longer be given audits."
    if not auditor_is_independent(auditor=auditor, case=audit.case):
        return f"{auditor.name}, who did the earlier audit, now holds or manages this case."
    return ""


def revisit_refusal(audit: Audit) -> str:
    """Why `audit` cannot be revisited now, or "" if it can."""
    if not audit.is_shared:
        return "Only a submitted or completed audit can be revisited: this one is still a draft."
    if not audit.case.is_open:
        return "The case is closed, so it cannot be revisited."
    unfinished = unfinished_revisit(audit)
    if unfinished is not None:
        due = f", due {_day(unfinished.due_date)}" if unfinished.due_date else ""
        return (
            f"A revisit of this audit is already planned{due}, with {unfinished.auditor.name}. "
            "Another can be scheduled once it is submitted."
        )
    return ""


@transaction.atomic
def revisit_schedule(
    *,
    audit: Audit,
    by: StaffMember,
    reason: str,
    due_date: datetime.date | None = None,
    auditor: StaffMember | None = None,
) -> Audit:
    """An audit lead over the audit's service schedules a revisit of it, saying why. Without
    `due_date`, due the cycle's weeks from today; without `auditor`, the earlier audit's
    auditor (refused, against the auditor field, when they cannot do it)."""
    if not can_schedule_revisit(by, audit):
        raise Refused(LEADS_ONLY)
    return _revisit_plan(audit=audit, by=by, reason=reason, due_date=due_date, auditor=auditor)


@transaction.atomic
def revisit_schedule_after_agreement(*, audit: Audit, by: StaffMember | None) -> Audit | None:
    """Called once moderation has agreed (or the head of service decided) the audit's grades:
    schedule its revisit when the agreed overall grade is Inadequate, and do nothing
    otherwise. Nothing either when a revisit of it is already planned or it cannot be revisited
    (a closed case). When its auditor cannot do the revisit, the audit leads over its service
    are told to schedule one with another auditor. The revisit, or None."""
    agreed = audit.agreed_overall_grade
    if agreed is None or not agreed.is_inadequate:
        return None
    locked = Audit.objects.select_for_update().select_related("case", "auditor").get(pk=audit.pk)
    if revisit_refusal(locked):
        return None
    if earlier_auditor_unavailable(locked):
        _leads_asked_to_choose(locked)
        return None
    return _revisit_plan(audit=locked, by=by, reason=AFTER_AGREEMENT_REASON)


def _revisit_plan(
    *,
    audit: Audit,
    by: StaffMember | None,
    reason: str,
    due_date: datetime.date | None = None,
    auditor: StaffMember | None = None,
) -> Audit:
    # Lock the earlier audit: two leads scheduling at once cannot both plan a revisit.
    earlier = Audit.objects.select_for_update().select_related("case", "auditor").get(pk=audit.pk)
    if refusal := revisit_refusal(earlier):
        raise Refused(refusal)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why the audit is to be revisited.", field="reason")
    today = timezone.localdate()
    if due_date is not None and due_date < today:
        raise Refused("The due date must be today or in the future.", field="due_date")
    if auditor is None:
        if unavailable := earlier_auditor_unavailable(earlier):
            raise Refused(f"{unavailable} Choose another auditor.", field="auditor")
        auditor = earlier.auditor
    due = due_date or revisit_due_default(earlier, today=today)
    revisit = audit_create(
        case=earlier.case,
        tool_version=earlier.tool_version,
        audit_type=AuditType.REVISIT,
        auditor=auditor,
        by=by,
        due_date=due,
        revisit_of=earlier,
    )
    revisit.revisit_reason = reason
    revisit.save(update_fields=["revisit_reason"])
    cycle = revisit_cycle(earlier)
    if cycle is not None:
        CycleAudit.objects.create(cycle=cycle, audit=revisit, planned_month=due.replace(day=1))
    event_record(
        actor=actor_login(by),
        verb="audit.revisit_scheduled",
        target=revisit,
        summary=f"Revisit of {earlier} scheduled, due {_day(due)}",
        after={
            "revisit_of": str(earlier.public_id),
            "auditor": str(auditor.public_id),
            "due_date": due.isoformat(),
            "cycle": str(cycle.public_id) if cycle is not None else None,
        },
        content_changed=["revisit_reason"],
    )
    _auditor_told(revisit, earlier)
    return revisit


def _auditor_told(revisit: Audit, earlier: Audit) -> None:
    """The revisit's auditor is told, in the product and by email: never the child's ID."""
    notification_send(
        recipients=[revisit.auditor],
        message=revisit_scheduled_message(revisit, earlier),
        url=audit_url_for(revisit, revisit.auditor),
        email_subject="A revisit for you to do",
    )


def _leads_asked_to_choose(audit: Audit) -> None:
    """The audit's agreed grade is Inadequate but its auditor cannot revisit it: the audit leads
    over its service are asked to schedule the revisit with someone else."""
    if audit.team is None:
        return
    notification_send(
        recipients=audit_leads_over(audit.team.service_id),
        message=(
            f"An audit of a case in {audit.team.name} was agreed Inadequate and needs a revisit. "
            f"{earlier_auditor_unavailable(audit)} Schedule the revisit with another auditor."
        ),
        url=reverse("assurance:revisit_schedule", args=[audit.public_id]),
        email_subject="A revisit to schedule",
    )
