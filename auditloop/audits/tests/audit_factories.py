"""Audits for tests, made through the same services as the pages."""

from __future__ import annotations

from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, User
from auditloop.audits.models import (
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Grade,
    ParticipantRole,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.audits.services.audits import AnswerInput, audit_answers_save, participant_add
from auditloop.audits.services.planning import audit_create
from auditloop.cases.models import ChildCase
from auditloop.testing import Personas, make_staff


def user_of(staff: StaffMember) -> User:
    assert staff.user is not None
    return staff.user


def planned_audit(
    p: Personas,
    *,
    tool: ToolVersion | None = None,
    audit_type: str = AuditType.DIP_SAMPLE,
    auditor: StaffMember | None = None,
    case: ChildCase | None = None,
) -> Audit:
    return audit_create(
        case=case or p.case,
        tool_version=tool or p.compliance_tool,
        audit_type=audit_type,
        auditor=auditor or p.auditor,
        by=p.moderator,
    )


def full_answers(
    audit: Audit,
    *,
    compliance: str = ComplianceAnswer.YES,
    grade_code: str = "good",
    no_action_reasons: bool = True,
) -> dict[int, AnswerInput]:
    """An answer to every question of the audit's tool: each check `compliance` (with an
    evidence note), each domain graded `grade_code`. A "No", or a grade that needs an action,
    says why no action is needed, unless `no_action_reasons` is False."""
    grade = Grade.objects.get(scale=audit.tool_version.grading_scale, code=grade_code)
    reason = "Put right while the audit was done." if no_action_reasons else ""
    answers = {}
    for q in Question.objects.filter(section__version=audit.tool_version):
        if q.kind == QuestionKind.COMPLIANCE:
            answers[q.pk] = AnswerInput(
                compliance=compliance,
                evidence="Seen on the record.",
                no_action_reason=reason if compliance == ComplianceAnswer.NO else "",
            )
        else:
            answers[q.pk] = AnswerInput(
                grade=grade,
                working_well="Direct work.",
                no_action_reason=reason if grade.needs_action else "",
            )
    return answers


def answer_fully(
    audit: Audit,
    *,
    compliance: str = ComplianceAnswer.YES,
    grade_code: str = "good",
    no_action_reasons: bool = True,
) -> Audit:
    """Answer everything submission needs, as the auditor would (with `no_action_reasons`
    False, a "No" or a grade that needs an action is left without an action or a reason)."""
    by = audit.auditor
    if audit.audit_type == AuditType.DEEP_DIVE and audit.practitioner is not None:
        participant_add(
            audit=audit,
            by=by,
            staff=audit.practitioner,
            role=ParticipantRole.PRACTITIONER,
            contribution="Talked through the child's week.",
        )
    return audit_answers_save(
        audit=audit,
        by=by,
        answers=full_answers(
            audit,
            compliance=compliance,
            grade_code=grade_code,
            no_action_reasons=no_action_reasons,
        ),
        meeting_date=timezone.localdate() if audit.audit_type == AuditType.DEEP_DIVE else None,
        overall_grade=Grade.objects.get(scale=audit.tool_version.grading_scale, code="good"),
        strengths="Visits are regular.",
        areas_for_development="The chronology is a list.",
        impact_on_child="The child is safer at home.",
    )


def submitted_audit_by(p: Personas, auditor: StaffMember) -> Audit:
    """A submitted dip sample of the practitioner's case, done by `auditor`."""
    return Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.SUBMITTED,
        auditor=auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        submitted_at=timezone.now(),
    )


def second_lead(p: Personas) -> StaffMember:
    """Another audit lead for the North service."""
    return make_staff("lead2", "Robin Second Lead", Role.MODERATOR, services=[p.north])
