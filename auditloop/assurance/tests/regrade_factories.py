"""Moderations ready to regrade, for the tests: a submitted quality deep dive (eight graded
domains) and its moderation in status regrading, given to a moderator. Drawing the sample and
giving out moderations is another part's; these start where the blind regrade starts."""

from __future__ import annotations

from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.assurance.selectors.regrade import graded_questions
from auditloop.assurance.services.regrade import (
    GradeGiven,
    moderation_agreement_record,
    moderation_regrade,
)
from auditloop.audits.models import Audit, AuditType, Grade
from auditloop.audits.services.audits import audit_submit
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas


def grade(audit: Audit, code: str) -> Grade:
    return Grade.objects.get(scale=audit.tool_version.grading_scale, code=code)


def submitted_deep_dive(p: Personas, *, auditor: StaffMember | None = None) -> Audit:
    """A quality deep dive of the practitioner's case, every domain and overall graded Good."""
    audit = planned_audit(
        p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE, auditor=auditor or p.auditor
    )
    return audit_submit(audit=answer_fully(audit), by=audit.auditor)


def regrading(
    p: Personas, *, audit: Audit | None = None, moderator: StaffMember | None = None
) -> Moderation:
    """A moderation of `audit` (a new submitted deep dive if none) given to `moderator` (the
    North audit lead if none), waiting for their blind regrade."""
    audit = audit or submitted_deep_dive(p)
    return Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=moderator or p.moderator,
        assigned_at=timezone.now(),
    )


def every_grade(audit: Audit, code: str) -> dict[int, GradeGiven]:
    """The same grade for every graded question of the audit."""
    chosen = grade(audit, code)
    return {q.pk: GradeGiven(chosen, "") for q in graded_questions(audit)}


def regraded(
    p: Personas,
    *,
    moderation: Moderation | None = None,
    first: str = "requires_improvement",
    rest: str = "good",
    overall: str = "requires_improvement",
) -> Moderation:
    """A moderation the moderator has regraded: the first domain `first`, the others `rest`,
    and overall `overall` (against the auditor's Good throughout)."""
    moderation = moderation or regrading(p)
    audit = moderation.audit
    grades = every_grade(audit, rest)
    first_question = graded_questions(audit)[0]
    grades[first_question.pk] = GradeGiven(grade(audit, first), "The plan is not SMART.")
    assert moderation.moderator is not None
    return moderation_regrade(
        moderation=moderation,
        by=moderation.moderator,
        grades=grades,
        overall=GradeGiven(grade(audit, overall), "Drift since the review."),
    )


def agreement_recorded(
    p: Personas, *, moderation: Moderation | None = None, first: str = "requires_improvement"
) -> Moderation:
    """A regraded moderation whose moderator has recorded the agreed grades: the first domain
    `first`, the others Good, overall Requires improvement, each with its reason."""
    moderation = moderation or regraded(p)
    audit = moderation.audit
    grades = {
        q.pk: GradeGiven(grade(audit, "good"), "Both gave Good.") for q in graded_questions(audit)
    }
    grades[graded_questions(audit)[0].pk] = GradeGiven(grade(audit, first), "Plan not SMART.")
    assert moderation.moderator is not None
    return moderation_agreement_record(
        moderation=moderation,
        by=moderation.moderator,
        grades=grades,
        overall=GradeGiven(grade(audit, "requires_improvement"), "Drift since the review."),
    )
