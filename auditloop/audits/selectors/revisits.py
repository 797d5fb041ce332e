"""A revisit beside the audit it follows up: the earlier audit's answer to each question and,
once the revisit is submitted, what changed, question by question and overall.

Shown only to a reader of the revisit who may also read the earlier audit (the same rule as
every other read of it, `audit_visibility_filter`); showing it is logged as a read of the
earlier audit. Answers are matched by question code when both audits used the same audit tool
(a revisit is scheduled on the earlier audit's own version, so the questions line up); an
audit of another tool is compared overall only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.models import (
    Answer,
    Audit,
    ComplianceAnswer,
    Grade,
    Question,
    QuestionKind,
)
from auditloop.audits.rules import answer_place, change_direction, change_steps, change_words
from auditloop.core.accesslog import Purpose, access_shown


@dataclass(frozen=True)
class EarlierAnswer:
    """The earlier audit's answer to one question: the grade that counts (the agreed one where
    moderation set one) or the compliance answer, and the evidence written for it."""

    compliance: str
    grade: Grade | None
    evidence: str
    working_well: str
    worried_about: str

    @property
    def label(self) -> str:
        if self.grade is not None:
            return self.grade.label
        if self.compliance:
            return str(ComplianceAnswer(self.compliance).label)
        return ""

    @property
    def place(self) -> int | None:
        return answer_place(
            compliance=self.compliance,
            grade_value=self.grade.value if self.grade is not None else None,
        )


@dataclass(frozen=True)
class Change:
    """What changed from the earlier answer (or overall grade) to the revisit's."""

    steps: int | None
    words: str

    @property
    def direction(self) -> str:
        """ "better", "the same", "worse", or "" when the two cannot be compared."""
        return change_direction(self.steps)


def _change(before: EarlierAnswer, after: EarlierAnswer, *, graded: bool) -> Change:
    steps = change_steps(before.place, after.place)
    return Change(
        steps=steps,
        words=change_words(steps=steps, before=before.label, after=after.label, graded=graded),
    )


def _answer_of(answer: Answer) -> EarlierAnswer:
    return EarlierAnswer(
        compliance=answer.compliance,
        grade=answer.grade_counted,
        evidence=answer.evidence,
        working_well=answer.working_well,
        worried_about=answer.worried_about,
    )


def _overall(audit: Audit) -> EarlierAnswer:
    return EarlierAnswer(
        compliance="", grade=audit.grade_counted, evidence="", working_well="", worried_about=""
    )


@dataclass
class RevisitComparison:
    """The earlier audit's answers, by question code, and the changes once the revisit is
    submitted (empty before: a draft's answers are not findings yet)."""

    earlier: Audit
    answers: dict[str, EarlierAnswer]
    overall_before: Grade | None
    changes: dict[str, Change] = field(default_factory=dict)
    overall_change: Change | None = None

    def earlier_for(self, question: Question) -> EarlierAnswer | None:
        return self.answers.get(question.code)

    def change_for(self, question: Question) -> Change | None:
        return self.changes.get(question.code)

    def _count(self, direction: str) -> int:
        return sum(1 for c in self.changes.values() if c.direction == direction)

    @property
    def better(self) -> int:
        return self._count("better")

    @property
    def same(self) -> int:
        return self._count("the same")

    @property
    def worse(self) -> int:
        return self._count("worse")

    @property
    def not_compared(self) -> int:
        return self._count("")


def _answers_by_code(audit: Audit) -> dict[str, Answer]:
    answers = Answer.objects.filter(audit=audit).select_related("question", "grade", "agreed_grade")
    return {a.question.code: a for a in answers}


def revisit_comparison(*, user: Any, staff: StaffMember, audit: Audit) -> RevisitComparison | None:
    """The earlier audit beside `audit`, if `audit` is a revisit and `staff` (signed in as
    `user`) may read the earlier audit too; None otherwise. The read of the earlier audit is
    logged. Three or four queries, however many questions."""
    if audit.revisit_of_id is None:
        return None
    earlier = (
        Audit.objects.filter(audit_visibility_filter(staff), pk=audit.revisit_of_id)
        .select_related("overall_grade", "agreed_overall_grade", "tool_version")
        .first()
    )
    if earlier is None:
        return None
    access_shown(user=user, targets=[earlier], purpose=Purpose.REVISIT)
    same_tool = earlier.tool_version.tool_id == audit.tool_version.tool_id
    before = _answers_by_code(earlier) if same_tool else {}
    comparison = RevisitComparison(
        earlier=earlier,
        answers={code: _answer_of(a) for code, a in before.items()},
        overall_before=earlier.grade_counted,
    )
    if not audit.is_shared:
        return comparison
    for code, answer in (_answers_by_code(audit) if same_tool else {}).items():
        was = comparison.answers.get(code)
        if was is not None:
            graded = answer.question.kind == QuestionKind.GRADED
            comparison.changes[code] = _change(was, _answer_of(answer), graded=graded)
    comparison.overall_change = _change(_overall(earlier), _overall(audit), graded=True)
    return comparison
