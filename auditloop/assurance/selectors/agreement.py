"""The agreement figures from the database: the auditor's grade against the moderator's blind
grade, per graded question (`Answer.grade` against `ModeratorGrade.grade`) and overall
(`Audit.overall_grade` against `Moderation.moderator_overall_grade`), for the moderations whose
regrade is done; and, for a calibration exercise, every auditor's grades of the same case.

The pairs are counted by the database, grouped by what a table shows (question, auditor, cycle)
and by auditor, so that a page asks the same few queries however many audits were moderated;
the figures come from `assurance.rules.agreement`. The auditor's grade is always the one they
gave, never the agreed grade moderation set beside it: agreement measures how far two
independent judgements matched. Nothing here names a child or reads an audit's content.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils import formats

from auditloop.assurance.models import (
    CalibrationExercise,
    Moderation,
    ModerationStatus,
    ModeratorGrade,
)
from auditloop.assurance.rules.agreement import (
    AgreementFigures,
    Rating,
    agreement_of_pairs,
    agreement_of_ratings,
    figures_unavailable,
)
from auditloop.audits.models import (
    SHARED_STATUSES,
    Answer,
    Grade,
    QuestionKind,
)
from auditloop.sampling.models import Cycle

# A moderation counts once the moderator has given every grade blind: from then on both sets of
# grades are fixed, whatever the agreeing decides.
REGRADED = (
    ModerationStatus.AGREEING,
    ModerationStatus.AGREED,
    ModerationStatus.ESCALATED,
    ModerationStatus.DECIDED,
)

POOLED = "Every graded question and overall grade"
NO_REGRADE_YET = "No moderation of these audits has been regraded yet."
SEVERAL_SCALES = (
    "The grades are on more than one grading scale, which cannot be pooled: see the figures "
    "for each question."
)

type Group = tuple[Any, ...]


@dataclass(frozen=True)
class Scale:
    name: str
    values: tuple[int, ...]  # lowest first
    names: dict[int, str]


@dataclass
class AgreementRow:
    """One line of a table: what it is about, the figures, and how many auditors' audits they
    come from. `withheld` says why the figures are not shown (then `figures` is None)."""

    label: str
    figures: AgreementFigures | None
    auditors: int
    hint: str = ""
    key: str = ""
    withheld: str = ""
    sort: tuple[Any, ...] = field(default=(), repr=False)

    @property
    def unavailable(self) -> str:
        """Why no figure of the row can be given, where one reason covers them all (withheld, or
        nothing regraded); "" where some figure is there, or each has its own reason."""
        if self.figures is None:
            return self.withheld
        figures = self.figures
        shown = (figures.exact, figures.within_one, figures.kappa_linear, figures.kappa_quadratic)
        reasons = {figure.reason for figure in shown if figure.value is None}
        if len(reasons) == 1 and all(figure.value is None for figure in shown):
            return reasons.pop()
        return ""


@dataclass(frozen=True)
class _Described:
    """What a row is about: its label, a hint under it, its place in the table, its key."""

    label: str
    hint: str = ""
    sort: tuple[Any, ...] = ()
    key: str = ""


@dataclass(frozen=True)
class _Count:
    """How many items of one group and auditor got this pair of grades on this scale."""

    fields: Group  # the values of the fields asked for, from a question's or an overall row
    overall: bool
    auditor_id: int
    scale_id: int
    auditors_grade: int
    moderators_grade: int
    n: int


def moderations_regraded(
    *, service_ids: Sequence[int] | None, cycle: Cycle | None = None
) -> QuerySet[Moderation]:
    """The moderations whose blind regrade is done, of audits in these services (every service
    for None), in the cycle if one is given."""
    moderations = Moderation.objects.filter(status__in=REGRADED)
    if service_ids is not None:
        moderations = moderations.filter(audit__team__service_id__in=service_ids)
    if cycle is not None:
        moderations = moderations.filter(audit__cycle_link__cycle=cycle)
    return moderations


def agreement_cycles(*, service_ids: Sequence[int] | None) -> QuerySet[Cycle]:
    """The cycles touching these services (every cycle for None), newest first."""
    cycles = Cycle.objects.all()
    if service_ids is not None:
        cycles = cycles.filter(services__in=service_ids).distinct()
    return cycles.order_by("-starts_on", "-id")


def _pair_counts(
    moderations: QuerySet[Moderation],
    *,
    question_fields: Sequence[str] = (),
    overall_fields: Sequence[str] = (),
) -> list[_Count]:
    """How many items got each pair of grades (the auditor's, the moderator's), per auditor and
    per the fields named: two grouped queries, one over the graded questions (fields from a
    `ModeratorGrade`) and one over the overall grades (the same fields from a `Moderation`)."""
    auditors_grade = Answer.objects.filter(
        audit_id=OuterRef("moderation__audit_id"),
        question_id=OuterRef("question_id"),
        grade__scale_id=OuterRef("grade__scale_id"),
    ).values("grade__value")[:1]
    questions = (
        ModeratorGrade.objects.filter(moderation__in=moderations)
        .annotate(auditors_grade=Subquery(auditors_grade))
        .filter(auditors_grade__isnull=False)
        .values(
            *question_fields,
            "moderation__audit__auditor_id",
            "grade__scale_id",
            "auditors_grade",
            "grade__value",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    overall = (
        moderations.filter(
            moderator_overall_grade__isnull=False,
            audit__overall_grade__scale_id=F("moderator_overall_grade__scale_id"),
        )
        .values(
            *overall_fields,
            "audit__auditor_id",
            "moderator_overall_grade__scale_id",
            "audit__overall_grade__value",
            "moderator_overall_grade__value",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = [
        _Count(
            fields=tuple(row[f] for f in question_fields),
            overall=False,
            auditor_id=row["moderation__audit__auditor_id"],
            scale_id=row["grade__scale_id"],
            auditors_grade=row["auditors_grade"],
            moderators_grade=row["grade__value"],
            n=row["n"],
        )
        for row in questions
    ]
    counts += [
        _Count(
            fields=tuple(row[f] for f in overall_fields),
            overall=True,
            auditor_id=row["audit__auditor_id"],
            scale_id=row["moderator_overall_grade__scale_id"],
            auditors_grade=row["audit__overall_grade__value"],
            moderators_grade=row["moderator_overall_grade__value"],
            n=row["n"],
        )
        for row in overall
    ]
    return counts


def _scales() -> dict[int, Scale]:
    """Every scale's grades, lowest first, and their names: one query, always (scales are a
    handful, and asking for all keeps a page's query count the same with or without pairs)."""
    grades: dict[int, dict[int, str]] = defaultdict(dict)
    names: dict[int, str] = {}
    rows = Grade.objects.values_list("scale_id", "scale__name", "value", "label")
    for scale_id, scale_name, value, label in rows:
        grades[scale_id][value] = label
        names[scale_id] = scale_name
    return {
        scale_id: Scale(name=names[scale_id], values=tuple(sorted(labels)), names=labels)
        for scale_id, labels in grades.items()
    }


def _rows(
    counts: list[_Count],
    *,
    group: Callable[[_Count], Group],
    describe: Callable[[Group], _Described],
    min_auditors: int = 0,
) -> list[AgreementRow]:
    """One row per group (and per scale, where a group's grades are on more than one), in the
    order `describe` gives. A row drawn from fewer than `min_auditors` auditors' audits is
    withheld, with the reason, and its figures are not worked out."""
    pairs: dict[tuple[Group, int], Counter[tuple[int, int]]] = defaultdict(Counter)
    auditors: dict[tuple[Group, int], set[int]] = defaultdict(set)
    for count in counts:
        key = (group(count), count.scale_id)
        pairs[key][count.auditors_grade, count.moderators_grade] += count.n
        auditors[key].add(count.auditor_id)
    scales = _scales()
    scales_in_group = Counter(key for key, _ in pairs)
    rows = []
    for (key, scale_id), counted in pairs.items():
        scale = scales[scale_id]
        described = describe(key)
        hint = described.hint
        if scales_in_group[key] > 1:
            hint = f"{hint}, {scale.name}" if hint else scale.name
        row = AgreementRow(
            label=described.label,
            hint=hint,
            figures=None,
            auditors=len(auditors[key, scale_id]),
            key=described.key,
            sort=(*described.sort, scale.name),
        )
        if row.auditors < min_auditors:
            row.withheld = withheld_reason(min_auditors)
        else:
            row.figures = agreement_of_pairs(counted, scale=scale.values, names=scale.names)
        rows.append(row)
    return sorted(rows, key=lambda r: r.sort)


def withheld_reason(min_auditors: int) -> str:
    return (
        f"Not shown: drawn from fewer than {min_auditors} auditors' audits, so the figures "
        "would be about a person."
    )


# By question ---------------------------------------------------------------------------------

# The question's words and place come with its pairs, from the versions moderated: no lookup
# afterwards, so the page asks the same queries with or without moderations to show.
_BY_QUESTION = (
    "question__section__version__tool_id",
    "question__section__version__tool__name",
    "question__code",
    "question__section__version__number",
    "question__text",
    "question__section__order",
    "question__order",
)
_BY_TOOL = ("audit__tool_version__tool_id", "audit__tool_version__tool__name")


def _question_group(count: _Count) -> Group:
    """(tool, False, question code) for a question, (tool, True, "") for the overall grade:
    a question's pairs from every version of its tool count together."""
    return (count.fields[0], count.overall, "" if count.overall else count.fields[2])


def _question_descriptions(counts: list[_Count]) -> Callable[[Group], _Described]:
    """Labels and order for the by-question rows: a question's code and words (from the latest
    version of the tool moderated), "Overall grade" after a tool's questions, and the tool's
    name where the table holds more than one tool."""
    tools: dict[int, str] = {}
    latest: dict[tuple[int, str], tuple[int, str, int, int]] = {}
    for count in counts:
        tool_id, tool = count.fields[:2]
        tools[tool_id] = tool
        if not count.overall:
            _, _, code, version, text, section_order, order = count.fields
            known = latest.get((tool_id, code))
            if known is None or version > known[0]:
                latest[tool_id, code] = (version, text, section_order, order)
    several_tools = len(tools) > 1

    def describe(group: Group) -> _Described:
        tool_id, overall, code = group
        tool = tools[tool_id]
        hint = tool if several_tools else ""
        if overall:
            return _Described("Overall grade", hint, (tool, 1, 0, 0), f"{tool_id}:overall")
        _, text, section_order, order = latest[tool_id, code]
        return _Described(
            f"{code} {text}", hint, (tool, 0, section_order, order), f"{tool_id}:{code}"
        )

    return describe


def agreement_by_question(
    *, service_ids: Sequence[int] | None, cycle: Cycle | None, min_auditors: int = 0
) -> list[AgreementRow]:
    """Per graded question (domain) of each audit tool, and each tool's overall grade."""
    counts = _pair_counts(
        moderations_regraded(service_ids=service_ids, cycle=cycle),
        question_fields=_BY_QUESTION,
        overall_fields=_BY_TOOL,
    )
    return _rows(
        counts,
        group=_question_group,
        describe=_question_descriptions(counts),
        min_auditors=min_auditors,
    )


# By auditor ----------------------------------------------------------------------------------


def agreement_by_auditor(
    *, service_ids: Sequence[int] | None, cycle: Cycle | None
) -> list[AgreementRow]:
    """Per auditor, by name: every graded question and overall grade of theirs moderated."""
    counts = _pair_counts(
        moderations_regraded(service_ids=service_ids, cycle=cycle),
        question_fields=("moderation__audit__auditor__name",),
        overall_fields=("audit__auditor__name",),
    )

    def describe(group: Group) -> _Described:
        auditor_id, name = group
        return _Described(name, "", (name.casefold(), auditor_id))

    return _rows(counts, group=lambda count: (count.auditor_id, *count.fields), describe=describe)


# Pooled, and by cycle ------------------------------------------------------------------------


def agreement_pooled(
    *, service_ids: Sequence[int] | None, cycle: Cycle | None, min_auditors: int = 0
) -> AgreementRow:
    """Every graded question and overall grade together. Grades on more than one scale are not
    pooled: then the row says so, and the figures are per question only."""
    counts = _pair_counts(moderations_regraded(service_ids=service_ids, cycle=cycle))
    rows = _rows(
        counts,
        group=lambda count: (),
        describe=lambda group: _Described(POOLED),
        min_auditors=min_auditors,
    )
    if len(rows) == 1:
        return rows[0]
    return AgreementRow(
        label=POOLED,
        figures=figures_unavailable(SEVERAL_SCALES if rows else NO_REGRADE_YET),
        auditors=len({count.auditor_id for count in counts}),
    )


def cycle_dates(cycle: Cycle) -> str:
    starts = formats.date_format(cycle.starts_on, "j M Y")
    return f"{starts} to {formats.date_format(cycle.ends_on, 'j M Y')}"


def agreement_by_cycle(
    *, service_ids: Sequence[int] | None, cycles: Sequence[Cycle], min_auditors: int = 0
) -> list[AgreementRow]:
    """Per cycle, in the order given: every graded question and overall grade together. A cycle
    with no regraded moderation has a row saying so."""
    by_id = {cycle.pk: cycle for cycle in cycles}
    place = {cycle.pk: position for position, cycle in enumerate(cycles)}
    counts = _pair_counts(
        moderations_regraded(service_ids=service_ids).filter(
            audit__cycle_link__cycle_id__in=list(by_id)
        ),
        question_fields=("moderation__audit__cycle_link__cycle_id",),
        overall_fields=("audit__cycle_link__cycle_id",),
    )

    def describe(group: Group) -> _Described:
        cycle = by_id[group[0]]
        return _Described(cycle.name, cycle_dates(cycle), (place[cycle.pk],), str(cycle.public_id))

    rows = _rows(
        counts,
        group=lambda count: count.fields,
        describe=describe,
        min_auditors=min_auditors,
    )
    shown = {row.key for row in rows}
    rows += [
        AgreementRow(
            label=cycle.name,
            hint=cycle_dates(cycle),
            figures=figures_unavailable(NO_REGRADE_YET),
            auditors=0,
            key=str(cycle.public_id),
            sort=(place[cycle.pk],),
        )
        for cycle in cycles
        if str(cycle.public_id) not in shown
    ]
    return sorted(rows, key=lambda r: r.sort)


# Calibration ---------------------------------------------------------------------------------


def calibration_agreement(exercise: CalibrationExercise) -> AgreementFigures:
    """The figures for one calibration exercise, once every entry is submitted: the raters are
    the entries' auditors, the items the tool's graded questions and the overall grade, each
    auditor's own grades (`Answer.grade`, `Audit.overall_grade`). Krippendorff's alpha is the
    figure for several raters; kappa is there only when exactly two took part. Before then, or
    with nobody taking part, every figure is None with the reason. A few queries; the page
    showing the result logs the read, as it does any calibration result's."""
    entries = list(exercise.entries.select_related("audit__overall_grade"))
    if not entries:
        return figures_unavailable("Nobody has been given this calibration exercise yet.")
    submitted = sum(entry.audit.status in SHARED_STATUSES for entry in entries)
    if submitted < len(entries):
        return figures_unavailable(
            f"{submitted} of {len(entries)} auditors have submitted: the figures are worked out "
            "once every auditor has.",
            n_raters=len(entries),
        )
    scale_id = exercise.tool_version.grading_scale_id
    answers = Answer.objects.filter(
        audit__calibration_entry__exercise=exercise,
        question__kind=QuestionKind.GRADED,
        grade__scale_id=scale_id,
    ).values_list("audit_id", "question_id", "grade__value")
    ratings = [
        Rating(f"question {question_id}", f"audit {audit_id}", value)
        for audit_id, question_id, value in answers
    ]
    for entry in entries:
        grade = entry.audit.overall_grade
        if grade is not None and grade.scale_id == scale_id:
            ratings.append(Rating("overall", f"audit {entry.audit_id}", grade.value))
    scale = _scales()[scale_id]
    return agreement_of_ratings(ratings, scale=scale.values, names=scale.names)
