"""An earlier audit and its revisit, answered as the tests need, for the revisit tests of the
audits and assurance apps."""

from __future__ import annotations

import datetime

from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import (
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Grade,
    GradingScale,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.audits.services.audits import AnswerInput, audit_answers_save
from auditloop.audits.services.planning import audit_create
from auditloop.testing import Personas


def grade_of(tool: ToolVersion, code: str) -> Grade:
    return Grade.objects.get(scale=tool.grading_scale, code=code)


def questions_of(tool: ToolVersion) -> list[Question]:
    return list(Question.objects.filter(section__version=tool).order_by("section__order", "order"))


def answered(
    audit: Audit,
    *,
    grade_code: str = "good",
    compliance: str = ComplianceAnswer.YES,
    overall: str = "good",
    evidence: str = "Seen on the record.",
    by_code: dict[str, str] | None = None,
) -> Audit:
    """Every question answered as the auditor would: each check `compliance`, each domain
    `grade_code`, except the codes in `by_code` (code -> a grade code or a compliance answer)."""
    tool = audit.tool_version
    answers: dict[int, AnswerInput] = {}
    for q in questions_of(tool):
        given = (by_code or {}).get(q.code)
        if q.kind == QuestionKind.COMPLIANCE:
            answers[q.pk] = AnswerInput(compliance=given or compliance, evidence=evidence)
        else:
            grade = grade_of(tool, given or grade_code)
            answers[q.pk] = AnswerInput(grade=grade, working_well=evidence)
    return audit_answers_save(
        audit=audit,
        by=audit.auditor,
        answers=answers,
        overall_grade=grade_of(tool, overall),
        strengths="Visits are regular.",
        areas_for_development="The chronology is a list.",
        impact_on_child="The child is safer at home.",
    )


def marked_submitted(audit: Audit, *, days_ago: int = 0) -> Audit:
    """The audit as submitted, set directly: what submission demands of weak answers (actions,
    reasons) is tested with submission itself, not with every revisit."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.SUBMITTED, submitted_at=when)
    audit.refresh_from_db()
    return audit


def earlier_audit(
    p: Personas,
    *,
    tool: ToolVersion | None = None,
    overall: str = "inadequate",
    grade_code: str = "inadequate",
    compliance: str = ComplianceAnswer.NO,
    auditor: StaffMember | None = None,
    evidence: str = "The last recorded visit is outside the required interval.",
) -> Audit:
    """A submitted audit of the practitioner's case, weak throughout by default."""
    audit = audit_create(
        case=p.case,
        tool_version=tool or p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE
        if tool in (None, p.compliance_tool)
        else AuditType.THEMATIC,
        auditor=auditor or p.auditor,
        by=p.moderator,
    )
    answered(
        audit, grade_code=grade_code, compliance=compliance, overall=overall, evidence=evidence
    )
    return marked_submitted(audit, days_ago=45)


def revisit_of(p: Personas, earlier: Audit, *, auditor: StaffMember | None = None) -> Audit:
    """A planned revisit of `earlier`, on its tool version, as an audit lead plans one."""
    return audit_create(
        case=earlier.case,
        tool_version=earlier.tool_version,
        audit_type=AuditType.REVISIT,
        auditor=auditor or earlier.auditor,
        by=p.moderator,
        revisit_of=earlier,
    )


# A council's own scale whose values are not one apart: Inadequate 0, Requires improvement 5,
# Good 10, Outstanding 30. One step up the scale is one grade, whatever the values.
GAPPED_VALUES = {"inadequate": 0, "requires_improvement": 5, "good": 10, "outstanding": 30}


def on_gapped_scale(tool: ToolVersion) -> ToolVersion:
    """`tool` graded on a new scale with the Ofsted grades' codes and labels but values with
    gaps between them (`GAPPED_VALUES`)."""
    ofsted = {g.code: g for g in tool.grading_scale.grades.all()}
    scale = GradingScale.objects.create(slug="gapped", name="Gapped scale")
    for code, value in GAPPED_VALUES.items():
        Grade.objects.create(
            scale=scale,
            code=code,
            label=ofsted[code].label,
            value=value,
            is_inadequate=ofsted[code].is_inadequate,
            needs_action=ofsted[code].needs_action,
        )
    tool.grading_scale = scale
    tool.save(update_fields=["grading_scale"])
    return tool
