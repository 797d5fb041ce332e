"""Moderated audits and calibration exercises for the agreement tests, built straight in the
database in the state each test needs: the auditor's grades, the moderator's blind grades."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

from auditloop.accounts.models import StaffMember, Team
from auditloop.assurance.models import (
    CalibrationEntry,
    CalibrationExercise,
    Moderation,
    ModerationReason,
    ModerationStatus,
    ModeratorGrade,
)
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    Grade,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas


def graded_questions(tool: ToolVersion) -> list[Question]:
    return list(
        Question.objects.filter(section__version=tool, kind=QuestionKind.GRADED).order_by(
            "section__order", "order"
        )
    )


def grade_of(tool: ToolVersion, value: int) -> Grade:
    return Grade.objects.get(scale=tool.grading_scale, value=value)


def cycle_make(p: Personas, name: str, starts_on: datetime.date) -> Cycle:
    cycle = Cycle.objects.create(
        name=name, starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=181)
    )
    cycle.services.set([p.north])
    return cycle


def moderated_audit(
    p: Personas,
    *,
    grades: Sequence[tuple[int, int]],
    overall: tuple[int, int] | None = None,
    auditor: StaffMember | None = None,
    moderator: StaffMember | None = None,
    status: ModerationStatus = ModerationStatus.AGREED,
    cycle: Cycle | None = None,
    team: Team | None = None,
) -> Moderation:
    """A submitted deep dive whose first questions the auditor graded, and its moderation with
    the moderator's blind grades: `grades` is (auditor's value, moderator's value) per graded
    question in order; `overall` the same for the overall grade."""
    tool = p.quality_tool
    audit = Audit.objects.create(
        case=p.case,
        tool_version=tool,
        audit_type=AuditType.DEEP_DIVE,
        status=AuditStatus.SUBMITTED,
        auditor=auditor or p.auditor,
        practitioner=p.practitioner,
        team=team or p.north_a,
        submitted_at=timezone.now(),
        overall_grade=grade_of(tool, overall[0]) if overall else None,
    )
    moderation = Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=status,
        moderator=moderator or p.moderator,
        moderator_overall_grade=grade_of(tool, overall[1]) if overall else None,
    )
    for question, (auditors, moderators) in zip(graded_questions(tool), grades, strict=False):
        Answer.objects.create(audit=audit, question=question, grade=grade_of(tool, auditors))
        ModeratorGrade.objects.create(
            moderation=moderation, question=question, grade=grade_of(tool, moderators)
        )
    if cycle is not None:
        CycleAudit.objects.create(
            cycle=cycle, audit=audit, planned_month=cycle.starts_on.replace(day=1)
        )
    return moderation


def overall_moderation_of(
    audit: Audit,
    *,
    moderator: StaffMember,
    overall: tuple[int, int],
    cycle: Cycle | None = None,
) -> Moderation:
    """A regraded moderation of an existing submitted audit, its overall grade only: the
    auditor's `overall[0]` against the moderator's `overall[1]`; the audit put in `cycle`."""
    tool = audit.tool_version
    audit.overall_grade = grade_of(tool, overall[0])
    audit.save(update_fields=["overall_grade"])
    if cycle is not None:
        CycleAudit.objects.create(
            cycle=cycle, audit=audit, planned_month=cycle.starts_on.replace(day=1)
        )
    return Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.AGREED,
        moderator=moderator,
        moderator_overall_grade=grade_of(tool, overall[1]),
    )


def calibration_make(
    p: Personas,
    *,
    auditors: Sequence[StaffMember],
    grades: Sequence[Sequence[int]],
    overall: Sequence[int],
    submitted: int | None = None,
) -> CalibrationExercise:
    """A calibration exercise of the practitioner's case: auditor i graded the questions
    `grades[i]` (in order) and overall `overall[i]`; the first `submitted` (all by default)
    have submitted."""
    tool = p.quality_tool
    exercise = CalibrationExercise.objects.create(
        title="Calibration: neglect",
        case=p.case,
        tool_version=tool,
        set_by=p.moderator,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    questions = graded_questions(tool)
    done = len(auditors) if submitted is None else submitted
    for i, (auditor, values, overall_value) in enumerate(
        zip(auditors, grades, overall, strict=True)
    ):
        audit = Audit.objects.create(
            case=p.case,
            tool_version=tool,
            audit_type=AuditType.CALIBRATION,
            status=AuditStatus.SUBMITTED if i < done else AuditStatus.IN_PROGRESS,
            auditor=auditor,
            team=p.north_a,
            overall_grade=grade_of(tool, overall_value),
        )
        for question, value in zip(questions, values, strict=False):
            Answer.objects.create(audit=audit, question=question, grade=grade_of(tool, value))
        CalibrationEntry.objects.create(exercise=exercise, audit=audit)
    return exercise
