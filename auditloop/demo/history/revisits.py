"""Each past cycle's revisits: every Inadequate audit is revisited the cycle's weeks after the
grade was agreed (a few days after submission), and the audit leads revisit one or two Requires
improvement audits they worry about. Most revisits find the practice better, some the same, and
one or two worse; each revisit's answers follow the earlier audit's, question by question, with
the evidence an auditor would write.

The latest cycle is still under way: only its first few revisits are done (too few pairs for
the signed-rank test, so the revisits page shows its descriptive state), one or two are
overdue, the recent ones are planned and due in the coming weeks, and the demo auditor has one
of their own Inadequate audits to revisit. The earlier cycles have enough pairs for the test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from auditloop.assurance.selectors.revisits import revisit_scheduled_message
from auditloop.assurance.services.revisits import AFTER_AGREEMENT_REASON
from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    QuestionKind,
)
from auditloop.core.models import Notification
from auditloop.demo import phrases
from auditloop.demo.council import BATCH, at, new_uuid
from auditloop.demo.history.actions import weaknesses_covered
from auditloop.demo.history.audits import audits_save, draft, findings
from auditloop.demo.history.state import CODE_OF_VALUE, GRADE_VALUE, Draft, History
from auditloop.sampling.models import Cycle, CycleAudit

# The latest cycle's revisits done so far, and those overdue: fewer than the six pairs that
# must change before the signed-rank test is run.
LATEST_DONE = 4
LATEST_OVERDUE = 2

LEAD_REASONS = [
    "The plan has drifted since the last review: check that the actions agreed are now done.",
    "Visits were falling behind the plan's frequency: check that they are back on track.",
    "A new partner agency is involved: check that the plan now reflects its work.",
]

# Compliance check code -> the evidence a revisit records when a "No" has become "Yes".
NOW_MET: dict[str, str] = {
    "A1": "Visits are now within the interval; the last two were on time.",
    "A2": "The child was seen alone at the last visit and their words are recorded.",
    "A3": "The child's wishes and feelings are now set out in the plan.",
    "A4": "The assessment has been completed and the reason for the delay recorded.",
    "A5": "The strategy discussion is now recorded, with police and health present.",
    "A6": "The review conference was held on time.",
    "A7": "Core groups now meet monthly and their notes are on file.",
    "A8": "The review was held on time and the plan updated.",
    "A9": "The care plan is on file and shared with the carers.",
    "A10": "The health assessment has been done and its actions added to the plan.",
    "A11": "The PEP was reviewed with the virtual school this term.",
    "A12": "The chronology has been brought up to date and is checked in supervision.",
    "A13": "Decisions since the audit are recorded with reasons.",
    "A14": "Case supervision is now monthly and recorded.",
    "A15": "Ethnicity and first language are now recorded and reflected in the plan.",
}

REVISIT_IMPACT = {
    "better": [
        "Since the last audit the child has been seen regularly and says things are calmer.",
        "The plan now has clear outcomes, and the child's attendance has improved since.",
        "Drift has been addressed: the child's plan has moved on since the last audit.",
    ],
    "the same": [
        "Little has changed since the last audit: the same actions are still outstanding.",
        "Some actions are done, but the difference for the child is not yet clear.",
    ],
    "worse": [
        "Since the last audit the child has had a change of worker and visits have lapsed.",
        "Concerns have grown since the last audit and the plan has not kept up.",
    ],
}


@dataclass
class _Planned:
    earlier: Draft
    reason: str
    created: dt.datetime
    due: dt.date


def revisits_of_cycle(h: History, k: int, drafts: list[Draft]) -> None:
    """Cycle k's revisits of `drafts` (its audits, already written), placed in the cycle."""
    cycle = h.cycle
    if cycle is None:
        return
    latest = k == h.cycles - 1
    planned = _scheduled(h, cycle, drafts, latest=latest)
    if latest:
        planned.append(_demo_auditors_own(h, cycle))
    done: list[tuple[Draft, Draft]] = []  # (revisit, the earlier audit)
    waiting: list[tuple[Draft, Draft]] = []
    overdue = 0
    for plan in planned:
        revisit = _revisit(h, plan)
        finished = plan.due <= h.today and (not latest or len(done) < LATEST_DONE)
        if finished and _done(h, revisit, plan):
            done.append((revisit, plan.earlier))
            continue
        if plan.due < h.today:
            if overdue >= LATEST_OVERDUE:
                continue  # not scheduled yet: listed among the audits not yet revisited
            overdue += 1
            revisit.audit.status = AuditStatus.IN_PROGRESS
            revisit.audit.started_at = min(h.now, plan.created + h.days(7, 20))
        waiting.append((revisit, plan.earlier))
    directions = _outcomes(h, done)
    revisits = [d for d, _ in done + waiting]
    audits_save(h, revisits)
    _auditors_told(h, waiting)
    for (d, earlier), way in zip(done, directions, strict=True):
        d.answers = _answers(h, d, earlier, way)
    Answer.objects.bulk_create([a for d, _ in done for a in d.answers], batch_size=BATCH)
    # Each weakness the revisit found gets its action or reason, as any submitted audit's does.
    reasoned: list[Answer] = []
    actions: list[Action] = []
    for d, _ in done:
        more_reasoned, more_actions = weaknesses_covered(h, d)
        reasoned += more_reasoned
        actions += more_actions
    Answer.objects.bulk_update(reasoned, ["no_action_reason"], batch_size=BATCH)
    Action.objects.bulk_create(actions, batch_size=BATCH)
    CycleAudit.objects.bulk_create(
        [
            CycleAudit(
                cycle=cycle,
                audit=d.audit,
                planned_month=(d.audit.due_date or h.today).replace(day=1),
                created_at=d.audit.created_at,
            )
            for d in revisits
        ],
        batch_size=BATCH,
    )


def _auditors_told(h: History, waiting: list[tuple[Draft, Draft]]) -> None:
    """The notice each revisit still to do sent its auditor, read after a few days."""
    for revisit, earlier in waiting:
        audit = revisit.audit
        sent = audit.created_at
        h.notifications.append(
            Notification(
                public_id=new_uuid(h.rng),
                recipient_id=h.council.user_of[audit.auditor_id],
                message=revisit_scheduled_message(audit, earlier.audit),
                url=reverse("audits:detail", args=[audit.public_id]),
                created_at=sent,
                read_at=sent + h.days(1, 3) if sent + dt.timedelta(days=7) < h.now else None,
            )
        )


def _scheduled(h: History, cycle: Cycle, drafts: list[Draft], *, latest: bool) -> list[_Planned]:
    """Every Inadequate audit, a few days after it was submitted (when moderation agreed the
    grade), and one or two Requires improvement audits the leads chose, in order of schedule."""
    rng = h.rng
    submitted = [d for d in drafts if d.audit.submitted_at is not None]
    chosen = [(d, AFTER_AGREEMENT_REASON) for d in submitted if d.grade == "inadequate"]
    concerns = [d for d in submitted if d.grade == "requires_improvement"]
    if concerns and not latest:
        picks = rng.sample(concerns, min(2, len(concerns)))
        chosen += [(d, rng.choice(LEAD_REASONS)) for d in picks]
    out = []
    for d, reason in chosen:
        created = (d.audit.submitted_at or h.now) + h.days(3, 10)
        if created > h.now:
            continue  # not agreed yet
        due = created.date() + dt.timedelta(weeks=cycle.revisit_weeks)
        out.append(_Planned(earlier=d, reason=reason, created=created, due=due))
    return sorted(out, key=lambda plan: plan.created)


def _demo_auditors_own(h: History, cycle: Cycle) -> _Planned:
    """An Inadequate audit by the demo auditor, submitted three weeks ago, and its revisit due
    in the coming weeks: the auditor sees their earlier answers beside each question."""
    auditor = h.council.demo["auditor"]
    case = next(c for c in h.council.cases[::-1] if h.council.may_audit(auditor, c))
    earlier = draft(
        h,
        case,
        auditor,
        AuditType.DIP_SAMPLE,
        h.today - dt.timedelta(days=30),
        grade="inadequate",
    )
    earlier.audit.status = AuditStatus.SUBMITTED
    earlier.audit.started_at = h.now - dt.timedelta(days=26)
    earlier.audit.submitted_at = h.now - dt.timedelta(days=21)
    earlier.audit.completed_at = None
    findings(h, earlier, "inadequate")
    audits_save(h, [earlier])
    CycleAudit.objects.create(
        cycle=cycle,
        audit=earlier.audit,
        planned_month=earlier.audit.created_at.date().replace(day=1),
        created_at=earlier.audit.created_at,
    )
    created = h.now - dt.timedelta(days=16)
    return _Planned(
        earlier=earlier,
        reason=AFTER_AGREEMENT_REASON,
        created=created,
        due=created.date() + dt.timedelta(weeks=cycle.revisit_weeks),
    )


def _revisit(h: History, plan: _Planned) -> Draft:
    """A planned revisit of the earlier audit, by its auditor where they may still audit it."""
    earlier, case = plan.earlier.audit, plan.earlier.case
    auditor = earlier.auditor_id
    if not h.council.may_audit(auditor, case):
        auditor = h.auditor_for(case)
    audit = Audit(
        public_id=new_uuid(h.rng),
        case_id=case.pk,
        tool_version_id=earlier.tool_version_id,
        audit_type=AuditType.REVISIT,
        auditor_id=auditor,
        practitioner_id=case.worker_id,
        team_id=case.team_id,
        revisit_of=earlier,
        revisit_reason=plan.reason,
        due_date=plan.due,
        created_by_id=h.rng.choice(h.lead_users) if h.lead_users else None,
        created_at=plan.created,
    )
    return Draft(audit=audit, case=case, derive_children=False)


def _done(h: History, revisit: Draft, plan: _Planned) -> bool:
    """Date the revisit's work around its due date; whether it was submitted by now."""
    audit = revisit.audit
    started = max(plan.created, at(plan.due - h.days(1, 12), h.rng))
    submitted = started + h.days(1, 6)
    if submitted > h.now:
        return False
    audit.started_at, audit.submitted_at = started, submitted
    completed = submitted + h.days(2, 14)
    audit.status = AuditStatus.COMPLETED if completed <= h.now else AuditStatus.SUBMITTED
    audit.completed_at = completed if completed <= h.now else None
    revisit.derive_children = True
    return True


def _outcomes(h: History, done: list[tuple[Draft, Draft]]) -> list[str]:
    """Most better, about a fifth the same, and one or two worse (only a revisit of an audit
    above Inadequate can be worse overall), in the order of `done`; the findings to match."""
    rng = h.rng
    can_worsen = [i for i, (_, earlier) in enumerate(done) if earlier.grade != "inadequate"]
    worse = set(can_worsen[: 2 if len(done) >= 12 else 1])
    rest = [i for i in range(len(done)) if i not in worse]
    same = set(rng.sample(rest, min(len(rest), round(len(done) * 0.2))))
    directions = []
    for i, (revisit, earlier) in enumerate(done):
        direction = "worse" if i in worse else "the same" if i in same else "better"
        value = GRADE_VALUE[earlier.grade or "inadequate"]
        if direction == "better":
            value = min(4, value + rng.choices([1, 2], [65, 35])[0])
        elif direction == "worse":
            value = max(1, value - 1)
        findings(h, revisit, CODE_OF_VALUE[value])
        revisit.answered = "none"  # its answers follow the earlier audit's: see _answers
        revisit.audit.impact_on_child = rng.choice(REVISIT_IMPACT[direction])
        directions.append(direction)
    return directions


def _answers(h: History, revisit: Draft, earlier: Draft, direction: str) -> list[Answer]:
    """The revisit's answer to each question the earlier audit answered, moved the way the
    revisit went: a "No" mostly met by now when it went better, a domain up a grade or two."""
    rng = h.rng
    questions = {q.pk: q for q in h.questions[earlier.audit.tool_version_id]}
    stamp = revisit.audit.submitted_at or h.now
    steps = {"better": [0, 1, 1, 2], "the same": [-1, 0, 0, 0, 1], "worse": [-1, -1, 0]}
    out = []
    for before in earlier.answers:
        q = questions[before.question_id]
        answer = Answer(audit=revisit.audit, question_id=q.pk, updated_at=stamp)
        if q.kind == QuestionKind.COMPLIANCE:
            _check(h, answer, before, q.code, direction)
        else:
            was = before.grade.value if before.grade is not None else 2
            value = min(4, max(1, was + rng.choice(steps[direction])))
            answer.grade = h.grades[CODE_OF_VALUE[value]]
            well, worried = phrases.DOMAIN_NOTES.get(q.code, ([], []))
            if well and value >= 3:
                answer.working_well = rng.choice(well)
            if worried and value <= 2:
                answer.worried_about = rng.choice(worried)
        out.append(answer)
    return out


def _check(h: History, answer: Answer, before: Answer, code: str, direction: str) -> None:
    """A compliance check on the revisit, from the earlier answer and the way things went."""
    if before.compliance == ComplianceAnswer.NOT_APPLICABLE:
        answer.compliance = ComplianceAnswer.NOT_APPLICABLE
        return
    met_now = {"better": 0.75, "the same": 0.3, "worse": 0.15}[direction]
    kept = {"better": 0.97, "the same": 0.9, "worse": 0.7}[direction]
    chance = kept if before.compliance == ComplianceAnswer.YES else met_now
    if h.rng.random() < chance:
        answer.compliance = ComplianceAnswer.YES
        if before.compliance == ComplianceAnswer.NO:
            answer.evidence = NOW_MET.get(code, "Now done and on the file.")
    else:
        answer.compliance = ComplianceAnswer.NO
        missing = phrases.NO_EVIDENCE.get(code, "Not found on the file.")
        answer.evidence = (
            f"Still not done: {missing[0].lower()}{missing[1:]}"
            if before.compliance == ComplianceAnswer.NO
            else missing
        )
