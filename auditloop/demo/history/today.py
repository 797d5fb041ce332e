"""The work in hand today, in the latest cycle, placed so that each demo login has something to
do: the practitioner's audits awaiting a reply and actions due, the manager's flag and audits,
the auditor's planned, in-progress and returned audits, the leaders' own audits, and the audits
waiting for the audit leads."""

from __future__ import annotations

import datetime as dt

from auditloop.audits.models import AuditStatus, AuditType
from auditloop.demo import phrases
from auditloop.demo.council import CaseRef
from auditloop.demo.history.actions import demo_logins_states, sign_off
from auditloop.demo.history.audits import audits_save, draft, findings
from auditloop.demo.history.cycles import cycle_link
from auditloop.demo.history.followup import (
    action,
    action_complete,
    escalation,
    escalation_notify,
)
from auditloop.demo.history.state import Draft, History


def work_in_hand(h: History) -> None:
    """Today's work for each demo login, in the latest cycle."""
    own = h.council.cases_by_worker.get(h.council.demo["practitioner"], [])
    if not own:
        raise RuntimeError("The demo practitioner holds no cases.")
    drafts: list[Draft] = []
    _practitioners_work(h, drafts, own)
    _managers_work(h, drafts)
    _auditors_work(h, drafts)
    _leaders_work(h, drafts)
    _audit_leads_work(h, drafts)
    audits_save(h, drafts)
    if h.cycle is not None:
        # The work in hand belongs to the latest cycle, which ends this month.
        cycle_link(h.cycle, drafts)


def _current(
    h: History, drafts: list[Draft], case: CaseRef, by: int, audit_type: str, created: dt.date
) -> Draft:
    """A current audit of `case` by `by` (its status is set afterwards), added to `drafts`."""
    if not h.council.may_audit(by, case):
        raise RuntimeError("A demo audit must respect independence.")
    new = draft(h, case, by, audit_type, created, grade=None)
    new.derive_children = False
    drafts.append(new)
    return new


def _set_status(h: History, d: Draft, status: str, *, days_ago: int, grade: str | None) -> None:
    """Put a current audit at `status`, reached `days_ago`, with findings of `grade`."""
    audit = d.audit
    audit.status = status
    audit.started_at = audit.submitted_at = audit.completed_at = None
    audit.overall_grade = None
    audit.strengths = audit.areas_for_development = audit.impact_on_child = ""
    audit.practitioner_reflection = ""
    audit.meeting_date = None
    d.answered, d.grade = "none", None
    if status != AuditStatus.PLANNED:
        audit.started_at = h.now - dt.timedelta(days=days_ago + 3)
        d.answered = "part"
    if grade is not None:
        findings(h, d, grade)
    if status in {AuditStatus.SUBMITTED, AuditStatus.COMPLETED}:
        audit.submitted_at = h.now - dt.timedelta(days=days_ago)
    if status == AuditStatus.COMPLETED:
        audit.completed_at = h.now - dt.timedelta(days=max(0, days_ago - 7))


def _practitioners_work(h: History, drafts: list[Draft], own: list[CaseRef]) -> None:
    c, today = h.council, h.today
    practitioner, manager, auditor = (
        c.demo["practitioner"],
        c.demo["manager"],
        c.demo["auditor"],
    )

    def own_case(i: int) -> CaseRef:
        return own[i % len(own)]

    # Two audits of their cases submitted this week, awaiting a reply; the first this month
    # (today, on the 1st), so that the manager's home page has their team's audits this month.
    d = _current(
        h, drafts, own_case(0), auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=12)
    )
    this_month = min(3, today.day - 1)
    _set_status(h, d, AuditStatus.SUBMITTED, days_ago=this_month, grade="requires_improvement")
    d.actions.append(action(h, d.audit, practitioner, today + dt.timedelta(days=25), created=h.now))
    demo_logins_states(h, d, manager=manager)
    other = h.auditor_for(own_case(1), exclude=frozenset({auditor}))
    d = _current(h, drafts, own_case(1), other, AuditType.DEEP_DIVE, today - dt.timedelta(days=15))
    _set_status(h, d, AuditStatus.SUBMITTED, days_ago=6, grade="good")
    # An audit completed last month: replied to, one action done and one overdue.
    other = h.auditor_for(own_case(2))
    d = _current(h, drafts, own_case(2), other, AuditType.DIP_SAMPLE, today - dt.timedelta(days=60))
    _set_status(h, d, AuditStatus.COMPLETED, days_ago=40, grade="requires_improvement")
    submitted = h.now - dt.timedelta(days=40)
    d.reply_at = submitted + dt.timedelta(days=2)
    done = action(h, d.audit, practitioner, today - dt.timedelta(days=20), created=submitted)
    action_complete(h, done, h.now - dt.timedelta(days=25))
    sign_off(h, done, team_id=own_case(2).team_id, when=h.now - dt.timedelta(days=22))
    d.actions += [
        done,
        action(h, d.audit, practitioner, today - dt.timedelta(days=10), created=submitted),
        action(h, d.audit, manager, today - dt.timedelta(days=5), created=submitted),
    ]
    # A deep dive of the practitioner's case, planned with them and their manager.
    d = _current(h, drafts, own_case(3), auditor, AuditType.DEEP_DIVE, today - dt.timedelta(days=2))
    _set_status(h, d, AuditStatus.PLANNED, days_ago=0, grade=None)
    d.audit.due_date = today + dt.timedelta(days=10)


def _managers_work(h: History, drafts: list[Draft]) -> None:
    c, today = h.council, h.today
    practitioner, manager, auditor = (
        c.demo["practitioner"],
        c.demo["manager"],
        c.demo["auditor"],
    )
    team_cases = [
        case
        for case in c.cases
        if case.team_id == c.team_of[manager] and case.worker_id != practitioner
    ] or c.cases_by_worker[practitioner]
    elsewhere = [case for case in c.cases if c.may_audit(manager, case)]
    # An open unsafe-child flag in their team, raised yesterday.
    d = _current(
        h, drafts, team_cases[0], auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=5)
    )
    _set_status(h, d, AuditStatus.IN_PROGRESS, days_ago=0, grade=None)
    d.escalation = escalation(h, d.audit, h.now - dt.timedelta(days=1))
    escalation_notify(h, d.escalation)
    # ...and audits of their own to do, outside their team.
    for i, status in enumerate([AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]):
        case = elsewhere[(i * 7919) % len(elsewhere)]
        d = _current(h, drafts, case, manager, AuditType.DIP_SAMPLE, today - dt.timedelta(days=4))
        _set_status(h, d, status, days_ago=0, grade=None)
        d.audit.due_date = today + dt.timedelta(days=14 + 7 * i)


def _auditors_work(h: History, drafts: list[Draft]) -> None:
    """Planned, in progress and returned audits."""
    c, rng, today = h.council, h.rng, h.today
    auditor = c.demo["auditor"]
    for i in range(3):
        case = rng.choice(c.cases)
        d = _current(h, drafts, case, auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=2))
        _set_status(h, d, AuditStatus.PLANNED, days_ago=0, grade=None)
        d.audit.due_date = today + dt.timedelta(days=14 + 7 * i)
    for audit_type in (AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE):
        case = rng.choice(c.cases)
        d = _current(h, drafts, case, auditor, audit_type, today - dt.timedelta(days=9))
        _set_status(h, d, AuditStatus.IN_PROGRESS, days_ago=1, grade=None)
    case = rng.choice(c.cases)
    d = _current(h, drafts, case, auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=20))
    _set_status(h, d, AuditStatus.IN_PROGRESS, days_ago=5, grade="good")
    d.audit.return_reason = rng.choice(phrases.RETURN_REASONS)


def _leaders_work(h: History, drafts: list[Draft]) -> None:
    c, rng, today = h.council, h.rng, h.today
    # The leader audits a case this month, one they neither hold nor line-manage.
    leader = c.demo["leader"]
    case = next(x for x in c.cases if c.may_audit(leader, x))
    d = _current(h, drafts, case, leader, AuditType.DEEP_DIVE, today - dt.timedelta(days=3))
    _set_status(h, d, AuditStatus.PLANNED, days_ago=0, grade=None)
    # The demo audit lead is part-way through a thematic audit of their own.
    moderator = c.demo["moderator"]
    case = rng.choice([x for x in c.cases if c.may_audit(moderator, x)])
    d = _current(h, drafts, case, moderator, AuditType.THEMATIC, today - dt.timedelta(days=6))
    _set_status(h, d, AuditStatus.IN_PROGRESS, days_ago=1, grade=None)
    d.audit.theme = phrases.THEMES[h.cycles % len(phrases.THEMES)]


def _audit_leads_work(h: History, drafts: list[Draft]) -> None:
    """Audits submitted this week for the audit leads to complete, one with a flag still
    waiting for its acknowledgement."""
    c, rng, today = h.council, h.rng, h.today
    for i in range(4):
        case = rng.choice(c.cases)
        d = _current(
            h,
            drafts,
            case,
            h.auditor_for(case),
            AuditType.DIP_SAMPLE,
            today - dt.timedelta(days=14),
        )
        _set_status(h, d, AuditStatus.SUBMITTED, days_ago=1 + i, grade=h.grade(1.0))
        if i == 0:
            d.grade = "inadequate"
            d.audit.overall_grade = h.grades["inadequate"]
            d.escalation = escalation(h, d.audit, h.now - dt.timedelta(days=3))
            escalation_notify(h, d.escalation)
