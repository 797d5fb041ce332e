"""A revisit beside the audit it follows up: the earlier audit's answer to each question and,
once the revisit is submitted, what changed, question by question and overall.

Shown only to a reader of the revisit who may also read the earlier audit (the same rule as
every other read of it, `audit_visibility_filter`); showing it is logged as a read of the
earlier audit. Answers are matched by question code when both audits used the same audit tool
(a revisit is scheduled on the earlier audit's own version, so the questions line up); an
audit of another tool is compared overall only. Changes are counted in places on the earlier
audit's grading scale (`auditloop.audits.rules.grades_apart`), never in grade values.

The moderation blind holds here too (`grades_hidden_filter`): to the moderator regrading the
earlier audit blind, its grades are left out (its evidence and its compliance answers are
shown, as on its own page); to the moderator regrading either audit blind, what changed is left
out, since the change beside the other audit's grade would give the hidden grade away."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.audits import audit_visibility_filter, with_grades_hidden
from auditloop.audits.models import (
    Answer,
    Audit,
    ComplianceAnswer,
    Grade,
    Question,
    QuestionKind,
)
from auditloop.audits.rules import answer_steps, change_direction, change_words, grades_apart
from auditloop.core.accesslog import Purpose, access_shown


@dataclass(frozen=True)
class EarlierAnswer:
    """The earlier audit's answer to one question: the grade that counts (the agreed one where
    moderation set one) or the compliance answer, and the evidence written for it. A graded
    answer's grade is None, and `grade_hidden` set, for the moderator regrading the earlier
    audit blind."""

    compliance: str
    grade: Grade | None
    evidence: str
    working_well: str
    worried_about: str
    grade_hidden: bool = False

    @property
    def label(self) -> str:
        if self.grade is not None:
            return self.grade.label
        if self.compliance:
            return str(ComplianceAnswer(self.compliance).label)
        return ""


@dataclass(frozen=True)
class Change:
    """What changed from the earlier answer (or overall grade) to the revisit's."""

    steps: int | None
    words: str

    @property
    def direction(self) -> str:
        """ "better", "the same", "worse", or "" when the two cannot be compared."""
        return change_direction(self.steps)


def _change(
    before: EarlierAnswer, after: EarlierAnswer, *, graded: bool, scale: Sequence[Grade]
) -> Change:
    steps = answer_steps(
        before_compliance=before.compliance,
        before_grade=before.grade,
        after_compliance=after.compliance,
        after_grade=after.grade,
        scale=scale,
    )
    return Change(
        steps=steps,
        words=change_words(steps=steps, before=before.label, after=after.label, graded=graded),
    )


def _answer_of(answer: Answer, *, grades_hidden: bool = False) -> EarlierAnswer:
    graded = answer.question.kind == QuestionKind.GRADED
    return EarlierAnswer(
        compliance=answer.compliance,
        grade=None if grades_hidden else answer.grade_counted,
        evidence=answer.evidence,
        working_well=answer.working_well,
        worried_about=answer.worried_about,
        grade_hidden=grades_hidden and graded,
    )


@dataclass
class RevisitComparison:
    """The earlier audit's answers, by question code, and the changes once the revisit is
    submitted (empty before: a draft's answers are not findings yet, and empty while the reader
    is blind to either audit's grades)."""

    earlier: Audit
    answers: dict[str, EarlierAnswer]
    overall_before: Grade | None
    changes: dict[str, Change] = field(default_factory=dict)
    overall_change: Change | None = None
    # The reader is the moderator regrading the earlier audit blind: its grades are left out.
    earlier_grades_hidden: bool = False
    # The reader is the moderator regrading the revisit blind: what changed is left out.
    grades_hidden: bool = False

    @property
    def changes_hidden(self) -> bool:
        """Whether what changed is left out for the moderation blind (of either audit)."""
        return self.earlier_grades_hidden or self.grades_hidden

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
    `user`) may read the earlier audit too; None otherwise. `audit` comes from
    `get_audit_for_user`, which sets its `grades_hidden` for `staff`; the earlier audit is read
    through the same rule here. The read of the earlier audit is logged. Three to five queries,
    however many questions."""
    if audit.revisit_of_id is None:
        return None
    earlier = (
        with_grades_hidden(
            Audit.objects.filter(audit_visibility_filter(staff), pk=audit.revisit_of_id), staff
        )
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
        answers={
            code: _answer_of(a, grades_hidden=earlier.grades_hidden) for code, a in before.items()
        },
        overall_before=None if earlier.grades_hidden else earlier.grade_counted,
        earlier_grades_hidden=earlier.grades_hidden,
        grades_hidden=audit.grades_hidden,
    )
    if not audit.is_shared or comparison.changes_hidden:
        return comparison
    # Counted in places on the earlier audit's scale: a revisit graded on another is not compared.
    scale = list(Grade.objects.filter(scale_id=earlier.tool_version.grading_scale_id))
    for code, answer in (_answers_by_code(audit) if same_tool else {}).items():
        was = comparison.answers.get(code)
        if was is not None:
            graded = answer.question.kind == QuestionKind.GRADED
            comparison.changes[code] = _change(was, _answer_of(answer), graded=graded, scale=scale)
    before_grade, after_grade = earlier.grade_counted, audit.grade_counted
    steps = grades_apart(before_grade, after_grade, scale)
    comparison.overall_change = Change(
        steps=steps,
        words=change_words(
            steps=steps,
            before=before_grade.label if before_grade is not None else "",
            after=after_grade.label if after_grade is not None else "",
            graded=True,
        ),
    )
    return comparison
