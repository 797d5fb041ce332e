"""Reads of calibration exercises, scoped to the person asking: the list with how far each has
got, the entries of one, and the comparison of their answers once every auditor has submitted.
Each is a fixed number of queries however many auditors or questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.assurance.access.calibration import calibration_visibility_filter
from auditloop.assurance.models import CalibrationEntry, CalibrationExercise
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.models import (
    SHARED_STATUSES,
    Answer,
    Audit,
    AuditStatus,
    ComplianceAnswer,
    Grade,
    Question,
    QuestionKind,
    Section,
)
from auditloop.audits.rules import grade_places

# Grades this many places apart or more are marked on the comparison.
WIDE_SPREAD = 2
# An entry not yet submitted (or returned, were that allowed) keeps the exercise waiting.
_DRAFT_STATUSES = [s for s in AuditStatus.values if s not in SHARED_STATUSES]


def calibrations_visible_to(staff: StaffMember) -> QuerySet[CalibrationExercise]:
    """The exercises `staff` may see, newest first, each with `entry_count` and
    `waiting_count`, the auditors yet to submit (one query)."""
    return (
        CalibrationExercise.objects.filter(calibration_visibility_filter(staff))
        .select_related("case", "tool_version__tool", "set_by")
        .annotate(
            entry_count=Count("entries"),
            waiting_count=Count("entries", filter=Q(entries__audit__status__in=_DRAFT_STATUSES)),
        )
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class EntryRow:
    """One auditor's entry, as the exercise's page lists it. `readable`: whether the person
    looking may open the audit (their own; any, for a lead outside the exercise; all, once
    every entry is in)."""

    audit: Audit
    readable: bool


def calibration_entries(exercise: CalibrationExercise, staff: StaffMember) -> list[EntryRow]:
    """The exercise's entries in the order they were set, with whether `staff` may open each
    (two queries)."""
    audits = [
        entry.audit
        for entry in CalibrationEntry.objects.filter(exercise=exercise)
        .select_related("audit__auditor", "audit__overall_grade")
        .order_by("id")
    ]
    readable = set(
        Audit.objects.filter(
            audit_visibility_filter(staff), pk__in=[a.pk for a in audits]
        ).values_list("pk", flat=True)
    )
    return [EntryRow(audit=a, readable=a.pk in readable) for a in audits]


def calibration_waiting(entries: Sequence[EntryRow]) -> int:
    """How many auditors have not submitted yet."""
    return sum(1 for e in entries if e.audit.status not in SHARED_STATUSES)


# The comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """One auditor's answer to one question (or their overall judgement), with the notes that
    back it."""

    auditor: StaffMember
    grade: Grade | None = None
    compliance: str = ""
    # (label, text) pairs: the evidence note, what is working well, what worries them.
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def compliance_label(self) -> str:
        return str(ComplianceAnswer(self.compliance).label) if self.compliance else ""


@dataclass(frozen=True)
class Compared:
    """The auditors' judgements on one question side by side. `spread` is how many grades
    apart the highest and lowest are (None for a compliance check, or where a grade is
    missing); `agree` whether every auditor gave the same answer."""

    code: str
    text: str
    graded: bool
    judgements: list[Judgement]
    spread: int | None
    agree: bool

    @property
    def wide(self) -> bool:
        """Two or more grades apart: marked on the page."""
        return self.spread is not None and self.spread >= WIDE_SPREAD


@dataclass
class Comparison:
    auditors: list[StaffMember]
    sections: list[tuple[Section, list[Compared]]] = field(default_factory=list)
    overall: Compared | None = None

    @property
    def questions(self) -> list[Compared]:
        return [c for _, rows in self.sections for c in rows]

    @property
    def wide(self) -> list[Compared]:
        """The questions (and overall grade) where auditors differ by two or more grades."""
        return [c for c in [*self.questions, self.overall] if c is not None and c.wide]


def grade_spread(grades: Sequence[Grade | None], scale: Sequence[Grade]) -> int | None:
    """How many places apart on `scale` the highest and lowest of `grades` are; None if any is
    missing. Places, not values (`grade_places`): a scale's values need not be consecutive."""
    if not grades or any(g is None for g in grades):
        return None
    place = grade_places(scale)
    places = [place[g.pk] for g in grades if g is not None]
    return max(places) - min(places)


def _compare(
    *, code: str, text: str, graded: bool, judgements: list[Judgement], scale: Sequence[Grade]
) -> Compared:
    if graded:
        grades = [j.grade for j in judgements]
        spread = grade_spread(grades, scale)
        agree = spread == 0
    else:
        answers = [j.compliance for j in judgements]
        spread = None
        agree = all(answers) and len(set(answers)) == 1
    return Compared(code, text, graded, judgements, spread, agree)


def _notes(answer: Answer | None) -> tuple[tuple[str, str], ...]:
    if answer is None:
        return ()
    pairs = [
        ("Evidence", answer.evidence),
        ("Working well", answer.working_well),
        ("Worried about", answer.worried_about),
    ]
    return tuple((label, text) for label, text in pairs if text)


def calibration_comparison(exercise: CalibrationExercise, audits: Sequence[Audit]) -> Comparison:
    """The entries' answers compared question by question, in the tool's order, and their
    overall grades. `audits`: the exercise's audits, as `calibration_entries` gives them (with
    their auditors and overall grades). Four queries: grades, sections, questions, answers."""
    version = exercise.tool_version
    scale = list(Grade.objects.filter(scale_id=version.grading_scale_id))
    answers = {
        (a.audit_id, a.question_id): a
        for a in Answer.objects.filter(audit__in=list(audits)).select_related("grade")
    }
    comparison = Comparison(auditors=[a.auditor for a in audits])
    for section in version.sections.prefetch_related("questions").order_by("order"):
        rows: list[Compared] = []
        for q in section.questions.all():
            rows.append(_question_compared(q, audits, answers, scale))
        comparison.sections.append((section, rows))
    comparison.overall = _compare(
        code="",
        text="Overall grade",
        graded=True,
        judgements=[
            Judgement(
                auditor=a.auditor,
                grade=a.overall_grade,
                notes=tuple(
                    (label, text)
                    for label, text in (
                        ("Strengths", a.strengths),
                        ("Areas for development", a.areas_for_development),
                        ("Impact on the child", a.impact_on_child),
                    )
                    if text
                ),
            )
            for a in audits
        ],
        scale=scale,
    )
    return comparison


def _question_compared(
    q: Question,
    audits: Sequence[Audit],
    answers: dict[tuple[int, int], Answer],
    scale: Sequence[Grade],
) -> Compared:
    judgements = []
    for audit in audits:
        answer = answers.get((audit.pk, q.pk))
        judgements.append(
            Judgement(
                auditor=audit.auditor,
                grade=answer.grade if answer is not None else None,
                compliance=answer.compliance if answer is not None else "",
                notes=_notes(answer),
            )
        )
    return _compare(
        code=q.code,
        text=q.text,
        graded=q.kind == QuestionKind.GRADED,
        judgements=judgements,
        scale=scale,
    )
