"""Calibration exercises for tests, set and answered through the same services as the pages."""

from __future__ import annotations

import datetime

from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.models import CalibrationExercise
from auditloop.assurance.services.calibration import calibration_set
from auditloop.audits.models import Audit, Grade, Question, QuestionKind
from auditloop.audits.services.audits import AnswerInput, audit_answers_save, audit_submit
from auditloop.testing import Personas, make_staff


def second_auditor(p: Personas) -> StaffMember:
    return make_staff("auditor2", "Bea Auditor", Role.AUDITOR, p.north_b)


def set_exercise(
    p: Personas,
    auditors: list[StaffMember] | None = None,
    *,
    quality: bool = True,
) -> CalibrationExercise:
    """The moderator sets the personas' case for `auditors` (the auditor and a second one, by
    default) with the quality deep dive, due in two weeks."""
    return calibration_set(
        by=p.moderator,
        case=p.case,
        tool_version=p.quality_tool if quality else p.compliance_tool,
        title="Spring calibration",
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        auditors=auditors if auditors is not None else [p.auditor, second_auditor(p)],
    )


def entry_of(exercise: CalibrationExercise, auditor: StaffMember) -> Audit:
    return exercise.entries.get(audit__auditor=auditor).audit


def answer_and_submit(
    audit: Audit, grades: dict[str, str] | None = None, *, overall: str = "good"
) -> Audit:
    """The auditor answers every question (each domain `grades[code]`, else Good; each check
    Yes) and submits."""
    scale = audit.tool_version.grading_scale
    by_code = {g.code: g for g in Grade.objects.filter(scale=scale)}
    answers = {}
    for q in Question.objects.filter(section__version=audit.tool_version):
        if q.kind == QuestionKind.COMPLIANCE:
            answers[q.pk] = AnswerInput(compliance="yes", evidence=f"{q.code} seen on file.")
        else:
            code = (grades or {}).get(q.code, "good")
            answers[q.pk] = AnswerInput(
                grade=by_code[code], working_well=f"{audit.auditor.name} on {q.code}."
            )
    audit_answers_save(
        audit=audit,
        by=audit.auditor,
        answers=answers,
        overall_grade=by_code[overall],
        strengths="Regular visits.",
        areas_for_development="The plan lists tasks.",
        impact_on_child="The child is safer.",
    )
    return audit_submit(audit=audit, by=audit.auditor)
