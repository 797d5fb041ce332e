"""Reads for the blind regrade: an audit's evidence laid out for its moderator, and the three
grades of each graded question and overall side by side. The moderation or the audit comes from
its get-for-user helper, which decided (and logged) the read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.access.regrade import moderation_deciders
from auditloop.assurance.models import Moderation, ModerationStatus, ModeratorGrade
from auditloop.assurance.rules.regrade import apart_words, in_dispute
from auditloop.audits.models import (
    Answer,
    Audit,
    Grade,
    Participant,
    Question,
    QuestionKind,
    Section,
)
from auditloop.audits.rules import grades_apart


@dataclass
class EvidenceRow:
    """One question of the audit as the auditor answered it; their grade only when asked for."""

    question: Question
    answer: Answer | None
    auditor_grade: Grade | None = None
    # The page's form fields for this question, when it shows one (the regrade).
    fields: Any = None


@dataclass
class EvidenceSection:
    section: Section
    rows: list[EvidenceRow]

    @property
    def is_compliance(self) -> bool:
        return bool(self.rows) and self.rows[0].question.kind == QuestionKind.COMPLIANCE


def audit_evidence(audit: Audit, *, with_grades: bool) -> list[EvidenceSection]:
    """Every question of the audit's tool in order, each with the auditor's answer: the
    compliance answers and evidence notes, what is working well and what we are worried about,
    and, `with_grades`, the auditor's grade. Three queries. A page showing this to the moderator
    while the blind is in force (`grades_hidden_filter`) asks without grades."""
    answers = {a.question_id: a for a in Answer.objects.filter(audit=audit).select_related("grade")}

    def row(q: Question) -> EvidenceRow:
        answer = answers.get(q.pk)
        grade = answer.grade if with_grades and answer is not None else None
        return EvidenceRow(question=q, answer=answer, auditor_grade=grade)

    return [
        EvidenceSection(section=section, rows=[row(q) for q in section.questions.all()])
        for section in audit.tool_version.sections.prefetch_related("questions")
    ]


def graded_questions(audit: Audit) -> list[Question]:
    """The questions of the audit's tool version that take a grade, in the tool's order."""
    return list(
        Question.objects.filter(
            section__version_id=audit.tool_version_id, kind=QuestionKind.GRADED
        ).order_by("section__order", "order")
    )


def scale_grades(audit: Audit) -> list[Grade]:
    """The grades of the audit's scale, best first."""
    return list(Grade.objects.filter(scale_id=audit.tool_version.grading_scale_id))


def deep_dive_participants(audit: Audit) -> list[Participant]:
    return list(audit.participants.select_related("staff"))


@dataclass
class GradeRow:
    """One graded question (or the overall grade, when `question` is None): the auditor's grade,
    the moderator's, the agreed grade the moderator recorded, and the grade that now counts."""

    question: Question | None
    auditor: Grade | None
    moderator: Grade | None
    moderator_notes: str = ""
    proposed: Grade | None = None
    agreed_reason: str = ""
    agreed: Grade | None = None
    decided_reason: str = ""
    scale: list[Grade] = field(default_factory=list, repr=False)

    @property
    def key(self) -> str:
        """The prefix of this row's form fields."""
        return f"q{self.question.pk}" if self.question is not None else "overall"

    @property
    def label(self) -> str:
        return f"{self.question.code} {self.question.text}" if self.question else "Overall grade"

    @property
    def apart(self) -> int | None:
        """How many grades the moderator's is above (or below) the auditor's."""
        return grades_apart(self.auditor, self.moderator, self.scale)

    @property
    def apart_words(self) -> str:
        return apart_words(self.apart)

    @property
    def differs(self) -> bool:
        return self.apart not in (0, None)

    @property
    def in_dispute(self) -> bool:
        """The auditor's, the moderator's and the recorded agreed grade are not all the same."""
        return in_dispute(self.auditor, self.moderator, self.proposed)

    @property
    def changed(self) -> bool:
        """The grade that counts now differs from the auditor's."""
        return self.agreed is not None and self.agreed != self.auditor


@dataclass
class GradeComparison:
    rows: list[GradeRow]
    overall: GradeRow

    @property
    def all_rows(self) -> list[GradeRow]:
        return [*self.rows, self.overall]

    @property
    def differences(self) -> int:
        return sum(1 for r in self.all_rows if r.differs)

    @property
    def disputed(self) -> list[GradeRow]:
        """The questions in dispute, and always the overall grade: the decider decides both."""
        return [*(r for r in self.rows if r.in_dispute), self.overall]


def grade_comparison(moderation: Moderation, *, with_notes: bool = True) -> GradeComparison:
    """The three grades of every graded question and overall, side by side. Three queries.

    Shows the auditor's grades: only for a reader whose blind is not in force. The moderator's
    private notes only `with_notes` (see `sees_moderation_workings`)."""
    audit = moderation.audit
    scale = scale_grades(audit)
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(audit=audit).select_related("grade", "agreed_grade")
    }
    given = {
        g.question_id: g
        for g in ModeratorGrade.objects.filter(moderation=moderation).select_related(
            "grade", "proposed_grade"
        )
    }
    rows = []
    for q in graded_questions(audit):
        answer = answers.get(q.pk)
        mine = given.get(q.pk)
        rows.append(
            GradeRow(
                question=q,
                auditor=answer.grade if answer else None,
                moderator=mine.grade if mine else None,
                moderator_notes=mine.notes if mine and with_notes else "",
                proposed=mine.proposed_grade if mine else None,
                agreed_reason=mine.agreed_reason if mine else "",
                agreed=answer.agreed_grade if answer else None,
                decided_reason=mine.decided_reason if mine else "",
                scale=scale,
            )
        )
    overall = GradeRow(
        question=None,
        auditor=audit.overall_grade,
        moderator=moderation.moderator_overall_grade,
        moderator_notes=moderation.moderator_notes if with_notes else "",
        proposed=moderation.proposed_overall_grade,
        agreed_reason=moderation.agreed_reason,
        agreed=audit.agreed_overall_grade,
        decided_reason=moderation.decided_reason,
        scale=scale,
    )
    return GradeComparison(rows=rows, overall=overall)


def moderation_of(audit: Audit) -> Moderation | None:
    """The audit's moderation, if it has one, with who took part joined."""
    return (
        Moderation.objects.filter(audit=audit)
        .select_related(
            "moderator",
            "moderator_overall_grade",
            "proposed_overall_grade",
            "escalated_by",
            "decided_by",
        )
        .first()
    )


# The home page's lists ------------------------------------------------------------------------

_HOME_ROWS = (
    "audit__case__allocated_worker",
    "audit__practitioner",
    "audit__team__service__head_of_service",
    "audit__auditor",
    "audit__tool_version__tool",
    "moderator",
)


def disagreements_to_decide_by(staff: StaffMember) -> list[Moderation]:
    """The escalated disagreements `staff` is to decide, the longest waiting first: by the one
    rule (`moderation_deciders`), asked of each moderation of a service they head or, as a
    senior leader, look across, with `staff` as the only senior leader it need consider (so
    no query per row). Two queries, whatever the number."""
    over = Q(audit__team__service__head_of_service=staff)
    led: set[int] = set()
    if staff.role == Role.SENIOR_LEADER and staff.is_active:
        for service_id, team_service_id in StaffMember.objects.filter(pk=staff.pk).values_list(
            "services", "team__service"
        ):
            led |= {s for s in (service_id, team_service_id) if s is not None}
        over |= Q(audit__team__service_id__in=led)
    candidates = (
        Moderation.objects.filter(over, status=ModerationStatus.ESCALATED)
        .select_related(*_HOME_ROWS)
        .order_by("escalated_at", "id")
    )
    mine = []
    for moderation in candidates:
        team = moderation.audit.team
        leaders = [staff] if team is not None and team.service_id in led else []
        deciders = moderation_deciders(moderation, leaders=leaders)
        if any(s.pk == staff.pk for s in deciders.staff):
            mine.append(moderation)
    return mine


def agreements_to_confirm_by(staff: StaffMember) -> QuerySet[Moderation]:
    """The moderations of `staff`'s audits whose moderator has recorded the agreed grades for
    them to confirm (`can_confirm_agreement`), the longest waiting first."""
    return (
        Moderation.objects.filter(
            audit__auditor=staff, status=ModerationStatus.AGREEING, proposed_at__isnull=False
        )
        .select_related(*_HOME_ROWS)
        .order_by("proposed_at", "id")
    )
