"""Actions from an audit's findings: created with an owner and a due date, then completed with
evidence or cancelled with a reason."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.actions import (
    ACTION_CANCEL_REFUSED,
    ACTION_COMPLETE_REFUSED,
    ACTION_CREATE_REFUSED,
    can_cancel_action,
    can_complete_action,
    can_create_action,
)
from auditloop.audits.models import Action, ActionStatus, Answer, Audit, AuditStatus, AuditType
from auditloop.audits.rules import ACTION_TRANSITIONS
from auditloop.audits.selectors.actions import today
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send

# Logged by value: the facts of an action. Its description, completion evidence and cancel
# reason are audit content: events name them in `content_changed`, never their text.
_FIELDS = ["owner", "due_date", "status", "completed_at", "cancelled_at"]


def action_move_check(action: Action, to: ActionStatus) -> None:
    """Refuse any move the table does not allow, with a message that says why."""
    if to not in ACTION_TRANSITIONS[action.status]:
        raise Refused(
            f"This action is {ActionStatus(action.status).label.lower()}; "
            f"it cannot be marked {to.label.lower()}."
        )


def _action_url(action: Action) -> str:
    return reverse("audits:action", kwargs={"public_id": action.public_id})


@transaction.atomic
def action_create(
    *,
    audit: Audit,
    by: StaffMember,
    description: str,
    owner: StaffMember,
    due_date: datetime.date,
    answer: Answer | None = None,
) -> Action:
    """An action from a finding: a question's answer, or the audit overall when `answer` is None.

    By the audit's auditor, an audit lead over its service, or its team's manager; once the
    audit has started. The owner is told.
    """
    staff = by
    if audit.audit_type == AuditType.CALIBRATION:
        raise Refused("A calibration audit is an exercise: it raises no actions on the team.")
    if not can_create_action(staff, audit):
        raise Refused(ACTION_CREATE_REFUSED)
    if audit.status == AuditStatus.PLANNED:
        raise Refused("Actions come from findings: start the audit first.")
    if answer is not None and answer.audit_id != audit.pk:
        raise Refused("That finding belongs to another audit.")
    if not owner.is_active:
        raise Refused(f"{owner.name} is no longer an active member of staff.")
    description = description.strip()
    if not description:
        raise Refused("Describe the action.", field="description")
    if due_date < today():
        raise Refused("The due date must be today or in the future.", field="due_date")
    action = Action.objects.create(
        audit=audit,
        answer=answer,
        description=description,
        owner=owner,
        due_date=due_date,
        created_by=by.user,
    )
    event_record(
        actor=by.user,
        verb="action.created",
        target=action,
        summary=f"Action for {owner.name} from {audit}.",
        after=snapshot(action, [*_FIELDS, "answer"]),
        content_changed=["description"],
    )
    if owner.pk != staff.pk:
        notification_send(
            recipients=[owner],
            message=(
                f"{staff.name} gave you an action from a case-file audit, due {due_date:%d %B %Y}."
            ),
            url=_action_url(action),
            email_subject="You have a new action from a case-file audit",
        )
    return action


@transaction.atomic
def action_complete(*, action: Action, by: StaffMember, evidence: str) -> Action:
    """Its owner or the owner's team manager marks it done, with the evidence that it is."""
    staff = by
    if not can_complete_action(staff, action):
        raise Refused(ACTION_COMPLETE_REFUSED)
    action_move_check(action, ActionStatus.COMPLETED)
    evidence = evidence.strip()
    if not evidence:
        raise Refused("Enter the evidence that the action is done.", field="evidence")
    before = snapshot(action, _FIELDS)
    action.status = ActionStatus.COMPLETED
    action.completion_evidence = evidence
    action.completed_at = timezone.now()
    action.save(update_fields=["status", "completion_evidence", "completed_at"])
    event_record(
        actor=by.user,
        verb="action.completed",
        target=action,
        summary=f"Action completed by {staff.name}.",
        before=before,
        after=snapshot(action, _FIELDS),
        content_changed=["completion_evidence"],
    )
    return action


@transaction.atomic
def action_cancel(*, action: Action, by: StaffMember, reason: str) -> Action:
    """Whoever created it, or an audit lead, withdraws it, saying why (kept on the action)."""
    staff = by
    if not can_cancel_action(staff, action):
        raise Refused(ACTION_CANCEL_REFUSED)
    action_move_check(action, ActionStatus.CANCELLED)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why the action is cancelled.", field="reason")
    before = snapshot(action, _FIELDS)
    action.status = ActionStatus.CANCELLED
    action.cancel_reason = reason
    action.cancelled_at = timezone.now()
    action.save(update_fields=["status", "cancel_reason", "cancelled_at"])
    event_record(
        actor=by.user,
        verb="action.cancelled",
        target=action,
        summary=f"Action cancelled by {staff.name}.",
        before=before,
        after=snapshot(action, _FIELDS),
        content_changed=["cancel_reason"],
    )
    if action.owner_id != staff.pk:
        notification_send(
            recipients=[action.owner],
            message=f"{staff.name} cancelled an action you owned.",
            url=_action_url(action),
        )
    return action
