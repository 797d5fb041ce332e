"""The demo actions' later life, and the rule that every weakness becomes an action.

Each submitted demo audit has, for each "No" and each grade that needs an action, an action from
that answer or the auditor's reason why none is needed (as the product's submission rule asks).
Actions marked done are signed off by whoever the product's rule names (`rules.may_sign_off`: the
audit team's manager, or the head of service for the team manager's own), a few after being
sent back once; the most recent still wait for sign-off; some open ones have been sent back;
cancelled ones say why. The demo logins each meet every state.

These choices draw from a generator seeded by each audit's id (itself drawn from the seeded
stream), not from the shared stream, so the rest of the demo is built exactly as before.
"""

from __future__ import annotations

import datetime as dt
import random

from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    AuditType,
    QuestionKind,
)
from auditloop.audits.rules import needs_action
from auditloop.core.models import Notification
from auditloop.demo import phrases
from auditloop.demo.council import Council, new_uuid
from auditloop.demo.history.state import Draft, History

NO_ACTION_REASONS = [
    "Put right while the audit was done: the record is now complete.",
    "Already in hand: the plan reviewed last week covers this.",
    "Recorded on the file, but in the wrong place; moved during the audit.",
    "Covered by the action on the audit's overall findings.",
    "Discussed in supervision the week of the audit; the notes are on file.",
    "The case closed during the audit: there is nothing further to do.",
]
SEND_BACK_REASONS = [
    "Please say where on the file this is recorded.",
    "The plan still has no dates: add them, then mark it done again.",
    "The child's views are summarised, not in their own words: please add them.",
]
CANCEL_REASONS = [
    "The child moved to another local authority.",
    "The case closed before the action was due.",
    "The same as another action from this audit.",
]
# How likely a weakness the history gave no action gets one, rather than a reason.
P_ACTION = 0.3


def _rng(draft: Draft) -> random.Random:
    return _seeded(f"actions {draft.audit.public_id}")


def _seeded(seed: str) -> random.Random:
    """A generator of its own for one purpose: a text seed repeats on every run and machine."""
    return random.Random(seed)  # noqa: S311 (a demo, not a secret)


def signer(c: Council, owner_id: int, team_id: int) -> int:
    """Who signs off an action from an audit of `team_id`'s case, by the product's rule: the
    team's manager, or for the team manager's own action their manager, the head of service."""
    manager = c.team_manager_of_team[team_id]
    if owner_id != manager:
        return manager
    return c.manager_of.get(owner_id) or c.head_of_service[c.service_of_team[team_id]]


def follow_through(h: History, draft: Draft) -> list[Answer]:
    """Settle the draft's actions and cover its weaknesses; the answers given a reason why no
    action is needed (to be saved)."""
    if draft.audit.submitted_at is None or draft.audit.audit_type == AuditType.CALIBRATION:
        return []
    rng = _rng(draft)
    # The work in hand today sets its own actions' states; those added here settle as usual.
    settled = list(draft.actions) if draft.derive_children else []
    reasoned, added = _cover_weaknesses(h, draft, rng)
    for action in settled + added:
        _settle(h, draft, action, rng)
    return reasoned


def weaknesses_covered(h: History, draft: Draft) -> tuple[list[Answer], list[Action]]:
    """For a submitted draft whose answers were written after it (a revisit's follow the
    earlier audit's): each weakness given a reason or an action, as the submission rule asks.
    The answers given a reason and the new actions, settled (both to be saved)."""
    if draft.audit.submitted_at is None:
        return [], []
    rng = random.Random(f"{draft.audit.public_id}:weaknesses")  # noqa: S311 (a demo)
    reasoned, added = _cover_weaknesses(h, draft, rng)
    for action in added:
        _settle(h, draft, action, rng)
    return reasoned, added


def _weak(answer: Answer) -> bool:
    kind = QuestionKind.COMPLIANCE if answer.compliance else QuestionKind.GRADED
    return needs_action(
        kind=kind,
        compliance=answer.compliance,
        grade_needs_action=answer.grade is not None and answer.grade.needs_action,
    )


def _cover_weaknesses(
    h: History, draft: Draft, rng: random.Random
) -> tuple[list[Answer], list[Action]]:
    """Give each weakness without an action a reason (mostly) or an action of its own."""
    covered = {a.answer_id for a in draft.actions if a.status != ActionStatus.CANCELLED}
    submitted = draft.audit.submitted_at or h.now  # follow_through passes submitted ones only
    team_manager = h.council.team_manager_of_team[draft.case.team_id]
    reasoned, added = [], []
    for answer in draft.answers:
        if not _weak(answer) or answer.pk in covered:
            continue
        if rng.random() >= P_ACTION:
            answer.no_action_reason = rng.choice(NO_ACTION_REASONS)
            reasoned.append(answer)
            continue
        owner = draft.case.worker_id if rng.random() < 0.7 else team_manager
        new = Action(
            public_id=new_uuid(rng),
            audit=draft.audit,
            answer=answer,
            description=rng.choice(phrases.ACTIONS),
            owner_id=owner,
            due_date=submitted.date() + dt.timedelta(days=rng.randint(21, 56)),
            created_by_id=h.council.user_of[draft.audit.auditor_id],
            created_at=submitted,
        )
        _progress(h, new, rng)
        added.append(new)
    draft.actions += added
    return reasoned, added


def _progress(h: History, action: Action, rng: random.Random) -> None:
    """Where a new action from a past audit has got to by today. Never cancelled: it is the
    only answer to its finding (the history's own actions are cancelled now and then)."""
    created, due = action.created_at, action.due_date
    if due < h.today:
        if rng.random() < 0.85:
            _complete(
                h,
                action,
                created + dt.timedelta(days=rng.randint(7, (due - created.date()).days)),
                rng,
            )
    elif rng.random() < 0.3 and created + dt.timedelta(days=7) <= h.now:
        _complete(h, action, created + dt.timedelta(days=7), rng)


def _complete(h: History, action: Action, when: dt.datetime, rng: random.Random) -> None:
    action.status = ActionStatus.COMPLETED
    action.completed_at = min(when, h.now)
    action.completion_evidence = rng.choice(phrases.ACTION_EVIDENCE)


def _settle(h: History, draft: Draft, action: Action, rng: random.Random) -> None:
    """Sign off what was marked done (unless it is too recent), send back some open ones, and
    say why each cancelled one was cancelled."""
    if action.status == ActionStatus.COMPLETED and action.completed_at is not None:
        signed = action.completed_at + dt.timedelta(days=rng.randint(1, 10))
        if signed <= h.now:
            if rng.random() < 0.1:
                # Sent back once before the evidence that was accepted.
                back = max(action.created_at, action.completed_at - dt.timedelta(days=3))
                action.sent_back_at = back
                action.sent_back_reason = rng.choice(SEND_BACK_REASONS)
            sign_off(h, action, team_id=draft.case.team_id, when=signed)
    elif action.status == ActionStatus.OPEN and rng.random() < 0.1:
        back = max(action.created_at, h.now - dt.timedelta(days=rng.randint(1, 5)))
        send_back(action, when=back, rng=rng)
    elif action.status == ActionStatus.CANCELLED and not action.cancel_reason:
        action.cancel_reason = rng.choice(CANCEL_REASONS)
        action.cancelled_at = min(h.now, action.created_at + dt.timedelta(days=rng.randint(3, 20)))


def sign_off(h: History, action: Action, *, team_id: int, when: dt.datetime) -> None:
    action.status = ActionStatus.CLOSED
    action.signed_off_by_id = signer(h.council, action.owner_id, team_id)
    action.signed_off_at = when


def send_back(action: Action, *, when: dt.datetime, rng: random.Random) -> None:
    """Marked done, then sent back: open again, with the owner's evidence kept."""
    action.status = ActionStatus.OPEN
    action.completion_evidence = rng.choice(phrases.ACTION_EVIDENCE)
    action.completed_at = None
    action.sent_back_at = when
    action.sent_back_reason = rng.choice(SEND_BACK_REASONS)


def demo_logins_states(h: History, draft: Draft, *, manager: int) -> None:
    """On the demo practitioner's recent audit (its team the demo manager's): an action of
    theirs waiting for the manager's sign-off, one sent back to them, and one of the manager's
    own waiting for the head of service (the demo leader), with the notices each sent."""
    rng, c = _seeded(f"demo logins {draft.audit.public_id}"), h.council
    team_id, worker = draft.case.team_id, draft.case.worker_id
    created = h.now - dt.timedelta(days=3)
    waiting = _new(h, draft, worker, created, rng)
    _complete(h, waiting, h.now - dt.timedelta(days=1), rng)
    sent_back = _new(h, draft, worker, created, rng)
    send_back(sent_back, when=h.now - dt.timedelta(hours=20), rng=rng)
    managers = _new(h, draft, manager, created, rng)
    _complete(h, managers, h.now - dt.timedelta(hours=30), rng)
    draft.actions += [waiting, sent_back, managers]
    names = dict(StaffMember.objects.filter(pk__in=[worker, manager]).values_list("pk", "name"))
    done = "marked an action as done. It is waiting for your sign-off."
    _notify(h, waiting, to=signer(c, worker, team_id), message=f"{names[worker]} {done}")
    _notify(h, managers, to=signer(c, manager, team_id), message=f"{names[manager]} {done}")
    _notify(
        h,
        sent_back,
        to=worker,
        message=(
            f"{names[signer(c, worker, team_id)]} sent back an action you marked as done. "
            "It is open again; the reason is on the action."
        ),
    )


def _new(h: History, draft: Draft, owner: int, created: dt.datetime, rng: random.Random) -> Action:
    return Action(
        public_id=new_uuid(rng),
        audit=draft.audit,
        description=rng.choice(phrases.ACTIONS),
        owner_id=owner,
        due_date=h.today + dt.timedelta(days=rng.randint(10, 30)),
        created_by_id=h.council.user_of[draft.audit.auditor_id],
        created_at=created,
    )


def _notify(h: History, action: Action, *, to: int, message: str) -> None:
    """The notice the action's service sends: it names who did what, never the child."""
    h.notifications.append(
        Notification(
            public_id=new_uuid(_seeded(f"notice {action.public_id}")),
            recipient_id=h.council.user_of[to],
            message=message,
            url=reverse("audits:action", kwargs={"public_id": action.public_id}),
            created_at=action.completed_at or action.sent_back_at or h.now,
        )
    )
