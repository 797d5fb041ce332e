"""What follows a submitted demo audit: its actions (done, cancelled or still open), an
unsafe-child flag with the notices it sends, and the practitioner's reply."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from auditloop.audits.models import (
    Action,
    ActionStatus,
    Audit,
    ComplianceAnswer,
    Escalation,
    FeedbackReply,
)
from auditloop.audits.selectors.escalations import escalation_raised_message, escalation_recipients
from auditloop.core.models import Notification
from auditloop.demo import phrases
from auditloop.demo.council import new_uuid
from auditloop.demo.history.state import Draft, History


def derived_children(h: History, draft: Draft) -> None:
    """Actions, a flag and a reply, as the grade makes likely."""
    rng, audit, c = h.rng, draft.audit, h.council
    if audit.submitted_at is None or draft.grade is None:
        return
    submitted = audit.submitted_at
    team_manager = c.team_manager_of_team[draft.case.team_id]
    count = {
        "outstanding": 0,
        "good": 1 if rng.random() < 0.2 else 0,
        "requires_improvement": rng.choice([0, 1, 1, 2]),
        "inadequate": rng.choice([2, 2, 3]),
    }[draft.grade]
    noes = [a for a in draft.answers if a.compliance == ComplianceAnswer.NO]
    for _ in range(count):
        owner = draft.case.worker_id if rng.random() < 0.7 else team_manager
        due = submitted.date() + h.days(21, 56)
        new = action(h, audit, owner, due, created=submitted)
        if noes:
            new.answer = rng.choice(noes)
        if due < h.today:
            roll = rng.random()
            if roll < 0.8:
                action_complete(h, new, submitted + h.days(7, (due - submitted.date()).days))
            elif roll < 0.85:
                new.status = ActionStatus.CANCELLED
        elif rng.random() < 0.3 and submitted + dt.timedelta(days=7) <= h.now:
            action_complete(h, new, submitted + dt.timedelta(days=7))
        draft.actions.append(new)
    if draft.grade == "inadequate" and rng.random() < 0.25 and audit.started_at is not None:
        raised = audit.started_at + (submitted - audit.started_at) / 2
        draft.escalation = _acknowledged_escalation(h, draft, raised, team_manager)
    reply_at = submitted + h.days(1, 10)
    if rng.random() < 0.45 and reply_at <= h.now:
        draft.reply_at = reply_at


def _acknowledged_escalation(
    h: History, draft: Draft, raised: dt.datetime, team_manager: int
) -> Escalation:
    """A flag raised during the audit, acknowledged (mostly by the team manager) within the
    day, with their response."""
    rng, audit, c = h.rng, draft.audit, h.council
    acknowledger = (
        team_manager
        if rng.random() < 0.8
        else c.head_of_service[c.service_of_team[draft.case.team_id]]
    )
    flag = escalation(h, audit, raised)
    flag.acknowledged_by_id = acknowledger
    flag.acknowledged_at = min(h.now, raised + dt.timedelta(hours=rng.randint(1, 20)))
    flag.response = rng.choice(phrases.ESCALATION_RESPONSES)
    return flag


def action(h: History, audit: Audit, owner: int, due: dt.date, *, created: dt.datetime) -> Action:
    return Action(
        public_id=new_uuid(h.rng),
        audit=audit,
        description=h.rng.choice(phrases.ACTIONS),
        owner_id=owner,
        due_date=due,
        created_by_id=h.council.user_of[audit.auditor_id],
        created_at=created,
    )


def action_complete(h: History, action: Action, when: dt.datetime) -> None:
    action.status = ActionStatus.COMPLETED
    action.completed_at = min(when, h.now)
    action.completion_evidence = h.rng.choice(phrases.ACTION_EVIDENCE)


def escalation(h: History, audit: Audit, raised: dt.datetime) -> Escalation:
    return Escalation(
        public_id=new_uuid(h.rng),
        audit=audit,
        raised_by_id=audit.auditor_id,
        reason=h.rng.choice(phrases.ESCALATION_REASONS),
        raised_at=raised,
    )


def escalation_notify(h: History, escalation: Escalation) -> None:
    """Tell those who must act, with the notice and the link the flag's service sends."""
    url = reverse("audits:escalation", kwargs={"public_id": escalation.public_id})
    message = escalation_raised_message(escalation)
    for staff in escalation_recipients(escalation):
        if staff.user_id is None:
            continue
        h.notifications.append(
            Notification(
                public_id=new_uuid(h.rng),
                recipient_id=staff.user_id,
                message=message,
                url=url,
                is_urgent=True,
                created_at=escalation.raised_at,
            )
        )


def reply(h: History, draft: Draft, when: dt.datetime) -> FeedbackReply:
    """The practitioner's reply to the audit of their case."""
    return FeedbackReply(
        audit=draft.audit,
        author_id=draft.case.worker_id,
        text=h.rng.choice(phrases.REPLIES),
        created_at=when,
    )
