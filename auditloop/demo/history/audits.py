"""One demo audit: its dates and status, its findings and answers, the deep dive's
participants, and the writing of a batch of audits with everything that hangs off them."""

from __future__ import annotations

import datetime as dt

from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Escalation,
    FeedbackReply,
    Participant,
    ParticipantRole,
    QuestionKind,
)
from auditloop.demo import phrases
from auditloop.demo.council import BATCH, CaseRef, at, new_uuid
from auditloop.demo.history import followup
from auditloop.demo.history.actions import follow_through
from auditloop.demo.history.state import CODE_OF_VALUE, GRADE_VALUE, P_YES, Draft, History


def draft(
    h: History,
    case: CaseRef,
    auditor_id: int,
    audit_type: str,
    created: dt.date,
    *,
    t: float = 1.0,
    theme: str = "",
    revisit_of: Audit | None = None,
    grade: str | None = None,
) -> Draft:
    """An audit created on `created`, as far along as the time since allows."""
    rng = h.rng
    if revisit_of is not None:
        version_id = revisit_of.tool_version_id
    elif audit_type == AuditType.DIP_SAMPLE:
        version_id = h.compliance.pk
    else:
        version_id = h.quality.pk
    created_at = at(created, rng)
    started = created_at + h.days(0, 10)
    submitted = started + h.days(1, 14)
    completed = submitted + h.days(2, 21)
    audit = Audit(
        public_id=new_uuid(rng),
        case_id=case.pk,
        tool_version_id=version_id,
        audit_type=audit_type,
        theme=theme,
        auditor_id=auditor_id,
        practitioner_id=case.worker_id,
        team_id=case.team_id,
        revisit_of=revisit_of,
        due_date=created + dt.timedelta(days=28),
        created_by_id=rng.choice(h.lead_users) if h.lead_users else None,
        created_at=created_at,
    )
    new = Draft(audit=audit, case=case)
    _progress(h, new, started, submitted, completed)
    if submitted <= h.now:
        findings(h, new, grade or h.grade(t))
    new.participants = audit_type == AuditType.DEEP_DIVE
    return new


def _progress(
    h: History, draft: Draft, started: dt.datetime, submitted: dt.datetime, completed: dt.datetime
) -> None:
    """The status and dates the audit has reached by now."""
    audit = draft.audit
    if completed <= h.now:
        audit.status = AuditStatus.COMPLETED
        audit.completed_at = completed
    elif submitted <= h.now:
        audit.status = AuditStatus.SUBMITTED
    elif started <= h.now:
        audit.status = AuditStatus.IN_PROGRESS
        draft.answered = "part"
    else:
        audit.status = AuditStatus.PLANNED
    if started <= h.now:
        audit.started_at = started
    if submitted <= h.now:
        audit.submitted_at = submitted


def findings(h: History, draft: Draft, grade: str) -> None:
    rng, audit = h.rng, draft.audit
    draft.grade = grade
    draft.answered = "all"
    audit.overall_grade = h.grades[grade]
    value = GRADE_VALUE[grade]
    audit.strengths = " ".join(rng.sample(phrases.STRENGTHS, max(1, value - 1)))
    audit.areas_for_development = " ".join(
        rng.sample(phrases.AREAS_FOR_DEVELOPMENT, max(1, 4 - value))
    )
    audit.impact_on_child = " ".join(rng.sample(phrases.IMPACT_ON_CHILD, rng.randint(1, 2)))
    if audit.audit_type == AuditType.DEEP_DIVE:
        audit.practitioner_reflection = rng.choice(phrases.REFLECTIONS)
        # The meeting with the social worker is held the day the audit is started.
        if audit.started_at is not None:
            audit.meeting_date = audit.started_at.date()


def answers(h: History, draft: Draft) -> list[Answer]:
    if draft.answered == "none":
        return []
    rng, audit = h.rng, draft.audit
    questions = h.questions[audit.tool_version_id]
    if draft.answered == "part":
        questions = questions[: max(1, len(questions) // 2)]
    grade = draft.grade or "good"
    stamp = audit.submitted_at or audit.started_at or h.now
    out: list[Answer] = []
    for q in questions:
        answer = Answer(audit_id=audit.pk, question_id=q.pk, updated_at=stamp)
        if q.kind == QuestionKind.COMPLIANCE:
            applies = phrases.CHECK_APPLIES.get(q.code)
            if (applies is not None and draft.case.cohort not in applies) or rng.random() < 0.03:
                answer.compliance = ComplianceAnswer.NOT_APPLICABLE
            elif rng.random() < P_YES[grade]:
                answer.compliance = ComplianceAnswer.YES
            else:
                answer.compliance = ComplianceAnswer.NO
                answer.evidence = phrases.NO_EVIDENCE.get(q.code, "Not found on the file.")
        else:
            value = GRADE_VALUE[grade] + rng.choices([-1, 0, 1], [2, 6, 2])[0]
            value = min(4, max(1, value))
            answer.grade = h.grades[CODE_OF_VALUE[value]]
            well, worried = phrases.DOMAIN_NOTES.get(q.code, ([], []))
            if well and (value >= 3 or rng.random() < 0.4):
                answer.working_well = rng.choice(well)
            if worried and (value <= 2 or rng.random() < 0.3):
                answer.worried_about = rng.choice(worried)
        out.append(answer)
    return out


def participants(h: History, draft: Draft) -> list[Participant]:
    worker = draft.case.worker_id
    out = [
        Participant(
            audit=draft.audit,
            staff_id=worker,
            role=ParticipantRole.PRACTITIONER,
            contribution=h.rng.choice(phrases.PRACTITIONER_CONTRIBUTIONS)
            if draft.audit.submitted_at
            else "",
        )
    ]
    manager = h.council.manager_of.get(worker)
    if manager is not None and manager != draft.audit.auditor_id:
        out.append(
            Participant(
                audit=draft.audit,
                staff_id=manager,
                role=ParticipantRole.MANAGER,
                contribution=h.rng.choice(phrases.MANAGER_CONTRIBUTIONS)
                if draft.audit.submitted_at
                else "",
            )
        )
    return out


def audits_save(h: History, drafts: list[Draft]) -> None:
    """Write the audits, then their answers, then what hangs off them."""
    Audit.objects.bulk_create([d.audit for d in drafts], batch_size=BATCH)
    all_answers: list[Answer] = []
    for d in drafts:
        d.answers = answers(h, d)
        all_answers.extend(d.answers)
    Answer.objects.bulk_create(all_answers, batch_size=BATCH)
    all_participants: list[Participant] = []
    actions: list[Action] = []
    escalations: list[Escalation] = []
    replies: list[FeedbackReply] = []
    reasoned: list[Answer] = []
    for d in drafts:
        if d.derive_children:
            followup.derived_children(h, d)
        reasoned += follow_through(h, d)
        if d.participants:
            all_participants.extend(participants(h, d))
        actions.extend(d.actions)
        if d.escalation is not None:
            escalations.append(d.escalation)
        if d.reply_at is not None:
            replies.append(followup.reply(h, d, d.reply_at))
    Answer.objects.bulk_update(reasoned, ["no_action_reason"], batch_size=BATCH)
    Participant.objects.bulk_create(all_participants, batch_size=BATCH)
    Action.objects.bulk_create(actions, batch_size=BATCH)
    Escalation.objects.bulk_create(escalations, batch_size=BATCH)
    FeedbackReply.objects.bulk_create(replies, batch_size=BATCH)
