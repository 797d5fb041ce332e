"""Conducting an audit: creation, answers, deep-dive participants, and the status machine
(planned → in progress → submitted → completed, and back to in progress when returned)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, actor_login
from auditloop.audits.access.audits import can_lead_audit
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Grade,
    Participant,
    ParticipantRole,
    Question,
    QuestionKind,
)
from auditloop.audits.rules import (
    AUDIT_TRANSITIONS,
    MOVE_WORDS,
    WRITABLE_STATUSES,
    meeting_date_problem,
    status_words,
)
from auditloop.audits.selectors.actions import answers_needing_action
from auditloop.audits.selectors.audits import in_moderation
from auditloop.audits.services.feedback import audit_url_for, feedback_ready_notify
from auditloop.core.events import event_record, fields_changed
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send
from auditloop.core.versions import version_claim


@dataclass(frozen=True)
class Problem:
    """One thing that stops an audit being submitted. `question_id` is None for the overall
    findings; `field` is the answer's or the audit's field that needs filling in."""

    field: str
    message: str
    question_id: int | None = None


class AuditIncomplete(Refused):
    """The refusal to submit an unfinished audit. It carries the list of problems as well as
    the message, so that the answers page can put each one on its own field."""

    def __init__(self, problems: list[Problem]) -> None:
        listed = "; ".join(p.message for p in problems)
        super().__init__(f"This audit cannot be submitted yet: {listed}.")
        self.problems = problems


def _refuse_unless_allowed(audit: Audit, to: str, verb: str) -> None:
    if to not in AUDIT_TRANSITIONS[audit.status]:
        word = MOVE_WORDS.get(verb, f"moved to {status_words(to)}")
        raise Refused(f"An audit that is {status_words(audit.status)} cannot be {word}.")


def _audit_transition(
    audit: Audit,
    to: str,
    by: StaffMember | None,
    verb: str,
    *,
    content_changed: list[str] | None = None,
) -> None:
    """Move `audit` to status `to`, or refuse. Writes the one event for the move."""
    _refuse_unless_allowed(audit, to, verb)
    before = snapshot(audit, ["status"])
    now = timezone.now()
    audit.status = to
    fields = ["status"]
    if to == AuditStatus.IN_PROGRESS and audit.started_at is None:
        audit.started_at = now
        fields.append("started_at")
    elif to == AuditStatus.SUBMITTED:
        audit.submitted_at = now
        fields.append("submitted_at")
    elif to == AuditStatus.COMPLETED:
        audit.completed_at = now
        fields.append("completed_at")
    audit.save(update_fields=fields)
    event_record(
        actor=actor_login(by),
        verb=verb,
        target=audit,
        summary=f"Audit {MOVE_WORDS.get(verb, 'moved')}",
        before=before,
        after=snapshot(audit, ["status"]),
        content_changed=content_changed or (),
    )


def _require_auditor(audit: Audit, by: StaffMember) -> None:
    if by.pk != audit.auditor_id:
        raise Refused("Only the auditor assigned to this audit can change it.")
    if audit.status not in WRITABLE_STATUSES:
        raise Refused(
            f"An audit that is {status_words(audit.status)} cannot be changed by its auditor."
        )


def _require_lead(audit: Audit, by: StaffMember, doing: str) -> None:
    if not can_lead_audit(by, audit):
        raise Refused(f"Only an audit lead for this service can {doing} an audit.")


@dataclass(frozen=True)
class AnswerInput:
    """The auditor's answer to one question, as typed (blank while a draft)."""

    compliance: str = ""
    grade: Grade | None = None
    evidence: str = ""
    working_well: str = ""
    worried_about: str = ""
    # Why a "No" or a grade that needs an action has none (see `answers_needing_action`).
    no_action_reason: str = ""


_ANSWER_FIELDS = [
    "compliance",
    "grade",
    "evidence",
    "working_well",
    "worried_about",
    "no_action_reason",
]
_FINDINGS_FIELDS = [
    "meeting_date",
    "overall_grade",
    "strengths",
    "areas_for_development",
    "impact_on_child",
    "practitioner_reflection",
]


def _check_grade(grade: Grade | None, audit: Audit, what: str) -> None:
    if grade is not None and grade.scale_id != audit.tool_version.grading_scale_id:
        raise Refused(f"The grade for {what} is not on this audit tool's grading scale.")


def _check_answers(
    audit: Audit, questions: Mapping[int, Question], answers: Mapping[int, AnswerInput]
) -> None:
    """Refuse an answer to a question not in the audit, or of the wrong kind."""
    for question_id, given in answers.items():
        question = questions.get(question_id)
        if question is None:
            raise Refused("An answer was given to a question that is not in this audit.")
        if given.compliance and given.compliance not in ComplianceAnswer.values:
            raise Refused(f"Answer {question.code} with yes, no or not applicable.")
        if given.compliance and question.kind != QuestionKind.COMPLIANCE:
            raise Refused(f"{question.code} is graded, not answered yes or no.")
        if given.grade is not None and question.kind != QuestionKind.GRADED:
            raise Refused(f"{question.code} is answered yes or no, not graded.")
        _check_grade(given.grade, audit, question.code)


def _answers_write(
    audit: Audit, questions: Mapping[int, Question], answers: Mapping[int, AnswerInput]
) -> list[str]:
    """Create or update the answers that changed (blank new ones are not stored); the codes of
    the questions whose answers changed."""
    existing = {a.question_id: a for a in audit.answers.all()}
    to_create: list[Answer] = []
    to_update: list[Answer] = []
    changed_codes: list[str] = []
    for question_id, given in answers.items():
        values = {
            "compliance": given.compliance,
            "grade": given.grade,
            "evidence": given.evidence.strip(),
            "working_well": given.working_well.strip(),
            "worried_about": given.worried_about.strip(),
            "no_action_reason": given.no_action_reason.strip(),
        }
        answer = existing.get(question_id)
        if answer is None:
            if not any(values.values()):
                continue
            to_create.append(Answer(audit=audit, question_id=question_id, **values))
        else:
            if all(getattr(answer, k) == v for k, v in values.items()):
                continue
            for k, v in values.items():
                setattr(answer, k, v)
            to_update.append(answer)
        changed_codes.append(questions[question_id].code)
    Answer.objects.bulk_create(to_create)
    if to_update:
        Answer.objects.bulk_update(to_update, [*_ANSWER_FIELDS])
    return changed_codes


@transaction.atomic
def audit_answers_save(
    *,
    audit: Audit,
    by: StaffMember,
    answers: Mapping[int, AnswerInput],
    meeting_date: datetime.date | None = None,
    overall_grade: Grade | None = None,
    strengths: str = "",
    areas_for_development: str = "",
    impact_on_child: str = "",
    practitioner_reflection: str | None = None,
    expected_version: int | None = None,
) -> Audit:
    """Save a draft: `answers` maps question ids of the audit's tool version to answers.
    Nothing has to be complete yet. The first save moves a planned audit to in progress.
    `meeting_date` is a deep dive's only. `practitioner_reflection` None leaves the saved
    reflection as it is. `expected_version` is the audit's version the page was drawn from:
    if someone saved it since, `RecordChanged` is raised and nothing is written (None: no
    such check)."""
    _require_auditor(audit, by)
    questions = _questions_by_id(audit)
    _check_answers(audit, questions, answers)
    _check_grade(overall_grade, audit, "the overall judgement")
    if meeting_date is not None:
        _check_meeting_date(audit, meeting_date)
    version_claim(record=audit, expected=expected_version, what="audit")
    if audit.status == AuditStatus.PLANNED:
        _audit_transition(audit, AuditStatus.IN_PROGRESS, by, "audit.started")
    changed_codes = _answers_write(audit, questions, answers)

    before = snapshot(audit, _FINDINGS_FIELDS)  # compared below, never logged
    audit.meeting_date = meeting_date
    audit.overall_grade = overall_grade
    audit.strengths = strengths.strip()
    audit.areas_for_development = areas_for_development.strip()
    audit.impact_on_child = impact_on_child.strip()
    if practitioner_reflection is not None:
        audit.practitioner_reflection = practitioner_reflection.strip()
    audit.save(update_fields=_FINDINGS_FIELDS)
    event_record(
        actor=by.user,
        verb="audit.answers_saved",
        target=audit,
        summary=(
            f"Draft saved; answers changed: {', '.join(changed_codes)}"
            if changed_codes
            else "Draft saved"
        ),
        # Findings and grades are audit content: the log says which changed, not what they say.
        content_changed=fields_changed(before, snapshot(audit, _FINDINGS_FIELDS)),
    )
    return audit


def _questions_by_id(audit: Audit) -> dict[int, Question]:
    """The questions of the audit's tool version, by id, with what checking an answer needs."""
    return {
        q.pk: q
        for q in Question.objects.filter(section__version_id=audit.tool_version_id).only(
            "id", "code", "kind"
        )
    }


def _check_meeting_date(audit: Audit, meeting_date: datetime.date) -> None:
    """Only a deep dive has a meeting, and its date must be one the audit allows."""
    if audit.audit_type != AuditType.DEEP_DIVE:
        raise Refused("Only a deep dive records the date of a meeting.")
    problem = meeting_date_problem(audit, meeting_date)
    if problem:
        raise Refused(problem, field="meeting_date")


def _action_problem(question: Question, answer: Answer) -> Problem:
    """A "No" or a grade that needs an action, with neither an action nor a reason why none is
    needed: named by the question's code and text, on the question's action fields."""
    if question.kind == QuestionKind.COMPLIANCE:
        finding = "is answered No"
    else:
        grade = answer.grade_counted
        finding = f"is graded {grade.label}" if grade is not None else "needs an action"
    return Problem(
        "action_description",
        f"{question.code} '{question.text.rstrip('.')}' {finding}: "
        "add an action, or say why none is needed",
        question.pk,
    )


def audit_problems(audit: Audit) -> list[Problem]:
    """Everything that stops `audit` being submitted, in the order of the page."""
    problems: list[Problem] = []
    if audit.audit_type == AuditType.DEEP_DIVE and audit.meeting_date is None:
        problems.append(Problem("meeting_date", "enter the date of the deep dive meeting"))
    answers = {a.question_id: a for a in audit.answers.all()}
    without_action = {a.question_id: a for a in answers_needing_action(audit)}
    questions = Question.objects.filter(section__version_id=audit.tool_version_id).order_by(
        "section__order", "order"
    )
    for q in questions:
        answer = answers.get(q.pk)
        if q.kind == QuestionKind.COMPLIANCE:
            if answer is None or not answer.compliance:
                problems.append(
                    Problem("compliance", f"answer {q.code} with yes, no or not applicable", q.pk)
                )
            elif answer.compliance == ComplianceAnswer.NO and not answer.evidence:
                problems.append(
                    Problem("evidence", f"add an evidence note for the 'No' on {q.code}", q.pk)
                )
        elif answer is None or answer.grade_id is None:
            problems.append(Problem("grade", f"choose a grade for {q.code}", q.pk))
        weakness = without_action.get(q.pk)
        if weakness is not None:
            problems.append(_action_problem(q, weakness))
    if audit.overall_grade_id is None:
        problems.append(Problem("overall_grade", "choose an overall grade"))
    if not audit.strengths:
        problems.append(Problem("strengths", "record the strengths"))
    if not audit.areas_for_development:
        problems.append(Problem("areas_for_development", "record the areas for development"))
    if not audit.impact_on_child:
        problems.append(Problem("impact_on_child", "record the impact on the child"))
    if (
        audit.audit_type == AuditType.DEEP_DIVE
        and not audit.participants.filter(role=ParticipantRole.PRACTITIONER).exists()
    ):
        problems.append(
            Problem("participants", "record the practitioner as taking part in the deep dive")
        )
    return problems


def _alert_on_no(audit: Audit) -> None:
    """A 'No' on a check marked alert_on_no tells the team's managers the same day."""
    codes = list(
        audit.answers.filter(compliance=ComplianceAnswer.NO, question__alert_on_no=True)
        .order_by("question__section__order", "question__order")
        .values_list("question__code", flat=True)
    )
    if not codes or audit.team_id is None:
        return
    managers = StaffMember.objects.filter(
        team_id=audit.team_id, role=Role.TEAM_MANAGER, is_active=True
    )
    team_name = audit.team.name if audit.team is not None else ""
    # Never the child's ID: this message is emailed.
    notification_send(
        recipients=managers,
        message=(
            f"An audit of a case in {team_name} found 'No' on {', '.join(codes)}. "
            "Please look at it today."
        ),
        url=reverse("audits:detail", args=[audit.public_id]),
        urgent=True,
        email_subject="Audit alert: a check in your team needs your attention today",
    )


@transaction.atomic
def audit_submit(*, audit: Audit, by: StaffMember) -> Audit:
    """Submit a complete audit, or refuse with AuditIncomplete listing what is missing."""
    if by.pk != audit.auditor_id:
        raise Refused("Only the auditor assigned to this audit can submit it.")
    # A wrong status is refused before completeness is checked: its message is the clearer.
    _refuse_unless_allowed(audit, AuditStatus.SUBMITTED, "audit.submitted")
    problems = audit_problems(audit)
    if problems:
        raise AuditIncomplete(problems)
    _audit_transition(audit, AuditStatus.SUBMITTED, by, "audit.submitted")
    if audit.audit_type != AuditType.CALIBRATION:
        # A calibration audit is an exercise, not a judgement on the practitioner's work: it
        # tells neither them nor their managers anything (a flag on it still does).
        _alert_on_no(audit)
        feedback_ready_notify(audit=audit)
    return audit


@transaction.atomic
def audit_return(*, audit: Audit, by: StaffMember, reason: str) -> Audit:
    """An audit lead sends a submitted audit back to its auditor, saying why. Not once it is
    chosen for moderation: its grades are then settled at moderation, beside the auditor's,
    and a return would let the auditor change the grades the moderator is comparing."""
    _require_lead(audit, by, "return")
    if in_moderation(audit):
        raise Refused(
            "This audit has been chosen for moderation, so it cannot be returned: its grades "
            "are settled with the moderator. Say what needs changing at the moderation."
        )
    reason = reason.strip()
    if not reason:
        raise Refused("Say why the audit is being returned.", field="reason")
    audit.return_reason = reason
    audit.save(update_fields=["return_reason"])
    _audit_transition(
        audit, AuditStatus.IN_PROGRESS, by, "audit.returned", content_changed=["return_reason"]
    )
    notification_send(
        recipients=[audit.auditor],
        message="An audit you submitted has been returned to you. The reason is on the audit.",
        url=audit_url_for(audit, audit.auditor),
        email_subject="An audit has been returned to you",
    )
    return audit


@transaction.atomic
def audit_complete(*, audit: Audit, by: StaffMember) -> Audit:
    """An audit lead accepts a submitted audit as complete."""
    _require_lead(audit, by, "complete")
    _audit_transition(audit, AuditStatus.COMPLETED, by, "audit.completed")
    return audit


@transaction.atomic
def participant_add(
    *, audit: Audit, by: StaffMember, staff: StaffMember, role: str, contribution: str = ""
) -> Participant:
    """Record that `staff` took part in a deep dive, and what they said."""
    _require_auditor(audit, by)
    if audit.audit_type != AuditType.DEEP_DIVE:
        raise Refused("Who took part is recorded for deep dives only.")
    if role not in ParticipantRole.values:
        raise Refused("Choose the part they played.", field="role")
    if audit.participants.filter(staff=staff).exists():
        raise Refused(f"{staff.name} is already recorded as taking part.", field="staff")
    participant = Participant.objects.create(
        audit=audit, staff=staff, role=role, contribution=contribution.strip()
    )
    event_record(
        actor=by.user,
        verb="audit.participant_added",
        target=audit,
        summary=f"{staff.name} recorded as taking part ({participant.get_role_display()})",
        after={"staff": str(staff.public_id), "role": role},
        content_changed=["contribution"] if participant.contribution else [],
    )
    return participant


@transaction.atomic
def participant_remove(*, audit: Audit, by: StaffMember, participant: Participant) -> None:
    _require_auditor(audit, by)
    if participant.audit_id != audit.pk:
        raise Refused("That person is not recorded on this audit.")
    before = {"staff": str(participant.staff.public_id), "role": participant.role}
    name = participant.staff.name
    participant.delete()
    event_record(
        actor=by.user,
        verb="audit.participant_removed",
        target=audit,
        summary=f"{name} no longer recorded as taking part",
        before=before,
    )
