"""Actions from an audit's findings: created with an owner and a due date, marked done by their
owner with evidence, then signed off by a team manager (closed: the only done there is) or
sent back with a reason; or cancelled with a reason. Overdue ones are reminded by email."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.actions import (
    ACTION_CANCEL_REFUSED,
    ACTION_COMPLETE_REFUSED,
    ACTION_CREATE_REFUSED,
    ACTION_SIGN_OFF_REFUSED,
    can_cancel_action,
    can_complete_action,
    can_create_action,
    can_sign_off_action,
)
from auditloop.audits.models import Action, ActionStatus, Answer, Audit, AuditStatus, AuditType
from auditloop.audits.rules import action_move_problem
from auditloop.audits.selectors.actions import action_signers, today
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send

# Logged by value: the facts of an action. Its description, completion evidence and cancel
# reason are audit content: events name them in `content_changed`, never their text.
_FIELDS = [
    "owner",
    "due_date",
    "status",
    "completed_at",
    "signed_off_by",
    "signed_off_at",
    "sent_back_at",
    "cancelled_at",
]


def action_move_check(action: Action, to: ActionStatus) -> None:
    """Refuse any move the table does not allow, with a message that says why."""
    problem = action_move_problem(action.status, to)
    if problem is not None:
        raise Refused(problem)


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


@dataclass(frozen=True)
class FindingAction:
    """An action typed beside its question on the audit's answers page."""

    question_id: int
    description: str
    owner: StaffMember
    due_date: datetime.date


@transaction.atomic
def finding_actions_create(
    *, audit: Audit, by: StaffMember, actions: Sequence[FindingAction]
) -> list[Action]:
    """Create each action from its question's answer (see `action_create`), all or none: a
    refusal names the question, and undoes the ones before it, so that nothing is added twice
    when the page is sent again."""
    answers = {a.question_id: a for a in audit.answers.select_related("question")}
    created = []
    for given in actions:
        answer = answers.get(given.question_id)
        if answer is None or not (answer.compliance or answer.grade_id):
            raise Refused("Answer each question before you add an action for it.")
        try:
            created.append(
                action_create(
                    audit=audit,
                    by=by,
                    description=given.description,
                    owner=given.owner,
                    due_date=given.due_date,
                    answer=answer,
                )
            )
        except Refused as exc:
            code = answer.question.code
            raise Refused(f"The action for {code} was not added. {exc.message}") from exc
    return created


@transaction.atomic
def action_complete(*, action: Action, by: StaffMember, evidence: str) -> Action:
    """Its owner marks it done, with the evidence that it is. It then waits for sign-off (see
    `rules.may_sign_off`), and those who may sign it off are told."""
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
        summary=f"Action marked as done by {staff.name}, waiting for sign-off.",
        before=before,
        after=snapshot(action, _FIELDS),
        content_changed=["completion_evidence"],
    )
    notification_send(
        recipients=action_signers(action),
        message=f"{staff.name} marked an action as done. It is waiting for your sign-off.",
        url=_action_url(action),
        email_subject="An action is waiting for your sign-off",
    )
    return action


@transaction.atomic
def action_sign_off(*, action: Action, by: StaffMember) -> Action:
    """Whoever `rules.may_sign_off` names accepts the owner's evidence: the action is closed,
    and only now counts as done. The owner is told."""
    staff = by
    if not can_sign_off_action(staff, action):
        raise Refused(ACTION_SIGN_OFF_REFUSED)
    action_move_check(action, ActionStatus.CLOSED)
    before = snapshot(action, _FIELDS)
    action.status = ActionStatus.CLOSED
    action.signed_off_by = staff
    action.signed_off_at = timezone.now()
    action.save(update_fields=["status", "signed_off_by", "signed_off_at"])
    event_record(
        actor=by.user,
        verb="action.signed_off",
        target=action,
        summary=f"Action signed off by {staff.name}.",
        before=before,
        after=snapshot(action, _FIELDS),
    )
    notification_send(
        recipients=[action.owner],
        message=f"{staff.name} signed off an action you marked as done. It is closed.",
        url=_action_url(action),
    )
    return action


@transaction.atomic
def action_send_back(*, action: Action, by: StaffMember, reason: str) -> Action:
    """Whoever may sign it off finds the evidence wanting: the action is open again, with the
    reason kept on it (the owner's evidence stays, for them to add to). The owner is told."""
    staff = by
    if not can_sign_off_action(staff, action):
        raise Refused(ACTION_SIGN_OFF_REFUSED)
    action_move_check(action, ActionStatus.OPEN)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why the action is sent back.", field="reason")
    before = snapshot(action, _FIELDS)
    action.status = ActionStatus.OPEN
    action.completed_at = None
    action.sent_back_reason = reason
    action.sent_back_at = timezone.now()
    action.save(update_fields=["status", "completed_at", "sent_back_reason", "sent_back_at"])
    event_record(
        actor=by.user,
        verb="action.sent_back",
        target=action,
        summary=f"Action sent back by {staff.name}.",
        before=before,
        after=snapshot(action, _FIELDS),
        content_changed=["sent_back_reason"],
    )
    # The reason is audit content: the email says where to read it, not what it says.
    notification_send(
        recipients=[action.owner],
        message=(
            f"{staff.name} sent back an action you marked as done. "
            "It is open again; the reason is on the action."
        ),
        url=_action_url(action),
        email_subject="An action has been sent back to you",
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


@dataclass(frozen=True)
class ActionRemindersSent:
    actions: int  # overdue actions reminded
    owners: int  # people reminded: one message each, however many actions


def _overdue_message(mine: Sequence[Action]) -> tuple[str, str]:
    """(message, url) for one owner's overdue actions. Never the child's ID: it is emailed."""
    oldest = formats.date_format(mine[0].due_date, "j F Y")
    if len(mine) == 1:
        return (
            f"An action you own from a case-file audit was due on {oldest} and is not done yet. "
            "Mark it as done with your evidence, or tell your manager what is in the way.",
            _action_url(mine[0]),
        )
    return (
        f"{len(mine)} actions you own from case-file audits are overdue, the oldest due on "
        f"{oldest}. Mark each as done with your evidence, or tell your manager what is in the "
        "way.",
        reverse("audits:actions") + "?show=overdue",
    )


@transaction.atomic
def action_reminders_send(*, today: datetime.date) -> ActionRemindersSent:
    """Remind each active owner of their open actions past their due date, in one message and
    email. An action is reminded at most once a day (`Action.reminded_on`): a second run the
    same day sends nothing."""
    overdue = (
        Action.objects.filter(status=ActionStatus.OPEN, due_date__lt=today)
        .filter(owner__is_active=True)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("owner")
        .order_by("owner_id", "due_date", "id")
    )
    by_owner: dict[int, list[Action]] = {}
    for action in overdue:
        by_owner.setdefault(action.owner_id, []).append(action)
    for mine in by_owner.values():
        message, url = _overdue_message(mine)
        notification_send(
            recipients=[mine[0].owner],
            message=message,
            url=url,
            email_subject="Overdue actions from case-file audits",
        )
        for action in mine:
            before = snapshot(action, ["reminded_on"])
            action.reminded_on = today
            event_record(
                actor=None,
                verb="action.reminder_sent",
                target=action,
                summary="Overdue reminder sent to the owner.",
                before=before,
                after={"reminded_on": today.isoformat(), "due_date": action.due_date.isoformat()},
            )
        Action.objects.bulk_update(mine, ["reminded_on"])
    return ActionRemindersSent(sum(len(m) for m in by_owner.values()), len(by_owner))
