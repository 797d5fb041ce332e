"""What the dashboards' figures share: whose audits a scope counts (as a subquery of their
ids), how a table of them is suppressed for its reader, the shares and charts drawn from what
a table shows, and the cycles a trend covers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When

from auditloop.accounts.models import Service, Team
from auditloop.audits.models import Answer, Audit, QuestionKind
from auditloop.audits.selectors.audits import answer_grade_counted
from auditloop.learning.rules.suppression import SUPPRESSED_MARK, group_suppressed
from auditloop.learning.selectors.team_picture import (
    TREND_CYCLES,
    Derive,
    _percent,
    figure_table,
    small_group_min,
    withheld_message,
)
from auditloop.reports.blocks import Chart, ChartKind, Figure, FigureRow, FigureTable, Series
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope
from auditloop.sampling.models import Cycle

NO_AUDITS = "No audit in this cycle has been submitted yet, so there are no grades to count."


def group_field(scope: ReportScope) -> str:
    return "team_id" if scope.names_teams else "team__service_id"


def scope_group_names(scope: ReportScope) -> dict[int, str]:
    """Every team (rows by team) or service (rows by service) of the scope, by id, whether or
    not it has figures. One query for all the figures of a page or review, whatever they find
    to count (so a page asks the same queries on any council)."""
    if "names" not in scope.memo:
        teams = Team.objects.filter(service_id__in=scope.service_ids)
        if scope.team_ids is not None:
            teams = teams.filter(pk__in=scope.team_ids)
        if scope.names_teams:
            scope.memo["names"] = dict(teams.values_list("pk", "name"))
        else:
            services = Service.objects.filter(teams__in=teams).distinct()
            scope.memo["names"] = dict(services.values_list("pk", "name"))
    names: dict[int, str] = scope.memo["names"]
    return names


def group_names(scope: ReportScope, ids: list[int]) -> dict[int, str]:
    """The names of these teams or services of the scope."""
    names = scope_group_names(scope)
    return {pk: names[pk] for pk in ids if pk in names}


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Counted:
    """The audits that count in a scope: their ids, as a subquery the database answers (answers
    and points are counted against it there: a national council's cycle holds 20,000 audits,
    and a list of them cost more to send and plan than to count), how many there are, and how
    many audits and people's cases are behind each row (team or service) and behind the whole
    scope."""

    ids: QuerySet[Audit, int]
    n: int
    sizes: dict[int, tuple[int, int]]
    people: int
    versions: list[int]


def counted_audits(scope: ReportScope) -> Counted:
    """One query, asked once per scope (every figure of a page counts the same audits): the
    audits counted by row, person and tool version, so that no audit's id leaves the
    database."""
    if "counted" in scope.memo:
        known: Counted = scope.memo["counted"]
        return known
    group = group_field(scope)
    audits = audits_in_scope(scope)
    rows = list(
        audits.values_list(group, "practitioner_id", "tool_version_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    audit_counts: dict[int, int] = defaultdict(int)
    people: dict[int, set[int]] = defaultdict(set)
    for key, person, _, n in rows:
        audit_counts[key] += n
        people[key].add(person)
    counted = Counted(
        ids=audits.order_by().values_list("pk", flat=True),
        n=sum(row[3] for row in rows),
        sizes={key: (audit_counts[key], len(people[key])) for key in audit_counts},
        people=len({row[1] for row in rows}),
        versions=sorted({row[2] for row in rows}),
    )
    scope.memo["counted"] = counted
    return counted


@dataclass(frozen=True)
class AnswerCount:
    """How many answers of one question of one tool, in one cycle and team, gave one answer:
    the compliance check's (blank for a graded question), and the grade that counts (the
    agreed one where moderation agreed one, else the auditor's) and whether the auditor gave
    one (None, False for a check)."""

    cycle: int
    team: int
    tool: int
    scale: int | None
    code: str
    kind: str
    compliance: str
    counted: int | None
    graded: bool
    n: int


def answer_counts(scope: ReportScope) -> list[AnswerCount]:
    """The answers of the audits that count in the scope's cycle and the cycles a trend covers,
    counted once for every figure of a page drawn from answers (compliance by check and by
    team, grades by domain, quality against compliance): a national council's four cycles
    hold millions of answers, and each figure's own pass over them cost seconds. Two queries,
    asked once per scope."""
    if "answers" in scope.memo:
        known: list[AnswerCount] = scope.memo["answers"]
        return known
    cycle_ids = {c.pk for c in recent_cycles(scope)} | {scope.cycle.pk}
    audits = audits_in_scope(scope, cycle_ids=sorted(cycle_ids)).order_by().values("pk")
    rows = (
        Answer.objects.filter(audit_id__in=audits)
        .annotate(
            counted=answer_grade_counted("id"),
            graded=Case(When(grade__isnull=False, then=Value(True)), default=Value(False)),
        )
        .values_list(
            "audit__cycle_link__cycle_id",
            "audit__team_id",
            "audit__tool_version__tool_id",
            "audit__tool_version__grading_scale_id",
            "question__code",
            "question__kind",
            "compliance",
            "counted",
            "graded",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = [AnswerCount(*row) for row in rows]
    scope.memo["answers"] = counts
    return counts


def _summed(pairs: Iterable[tuple[Any, int]]) -> dict[Any, int]:
    summed: dict[Any, int] = defaultdict(int)
    for key, n in pairs:
        summed[key] += n
    return summed


def compliance_counts(scope: ReportScope) -> list[tuple[int, str, str, int]]:
    """The scope's cycle's answers to compliance checks: (tool, question code, answer, how
    many), as `compliance_tables` counts them."""
    summed = _summed(
        ((a.tool, a.code, a.compliance), a.n)
        for a in answer_counts(scope)
        if a.cycle == scope.cycle.pk and a.kind == QuestionKind.COMPLIANCE and a.compliance
    )
    return [(tool, code, answer, n) for (tool, code, answer), n in summed.items()]


def compliance_by_team_counts(scope: ReportScope) -> dict[int, dict[str, int]]:
    """The scope's cycle's answers to compliance checks: team -> answer -> how many."""
    by_team: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in answer_counts(scope):
        if a.cycle == scope.cycle.pk and a.kind == QuestionKind.COMPLIANCE and a.compliance:
            by_team[a.team][a.compliance] += a.n
    return {team: dict(counts) for team, counts in by_team.items()}


def grade_counts(scope: ReportScope) -> list[tuple[int, int, str, int, int]]:
    """The scope's cycle's graded answers with a grade that counts: (tool, grading scale,
    question code, grade, how many), as `domain_tables` counts them."""
    summed = _summed(
        ((a.tool, a.scale, a.code, a.counted), a.n)
        for a in answer_counts(scope)
        if a.cycle == scope.cycle.pk and a.kind == QuestionKind.GRADED and a.counted is not None
    )
    return [(tool, scale, code, grade, n) for (tool, scale, code, grade), n in summed.items()]


def quality_counts(scope: ReportScope) -> dict[int, tuple[int, int]]:
    """Per cycle a trend covers: how many answers are quality judgements (graded questions
    the auditor graded) and how many compliance checks answered."""
    quality: dict[int, int] = defaultdict(int)
    checks: dict[int, int] = defaultdict(int)
    for a in answer_counts(scope):
        if a.kind == QuestionKind.GRADED and a.graded:
            quality[a.cycle] += a.n
        elif a.kind == QuestionKind.COMPLIANCE and a.compliance:
            checks[a.cycle] += a.n
    return {cycle: (quality[cycle], checks[cycle]) for cycle in {*quality, *checks}}


def withheld_words(scope: ReportScope, audits: int, people: int) -> str:
    """Why figures over the whole scope are not shown (too few audits, or of too few people's
    cases), or "" when they are. Never for a practitioner's own audits: they read each one."""
    if scope.is_own:
        return ""
    threshold = small_group_min()
    if group_suppressed(audits, threshold=threshold, people=people):
        return withheld_message(threshold, audits=audits)
    return ""


def scoped_table(scope: ReportScope, **kwargs: Any) -> FigureTable:
    """`figure_table` with the scope's suppression: small counts for the committee, small
    groups for everyone but a practitioner reading their own audits."""
    return figure_table(**kwargs, small_counts=scope.small_counts, small_groups=not scope.is_own)


def rows_by(scope: ReportScope) -> tuple[str, str]:
    """A by-rows caption's end and the row heading."""
    return (" by team", "Team") if scope.names_teams else (" by service", "Service")


def sorted_groups(groups: Iterable[int], names: dict[int, str]) -> list[int]:
    return sorted(groups, key=lambda g: (names.get(g, "").lower(), g))


def shown_number(figure: Figure | None) -> int | None:
    """A count as shown, None where it is suppressed (or not a count)."""
    if figure is None or figure.suppressed:
        return None
    try:
        return int(figure.text)
    except ValueError:
        return None


def row_counts(
    row: FigureRow, parts: Sequence[int], whole: Sequence[int] | None
) -> tuple[int, int] | None:
    """The counts of columns `parts` and of columns `whole` (the row's total for None), from
    the figures the table shows: None where any of them is suppressed."""
    shown = [shown_number(cell) for cell in row.cells]
    part = [shown[j] for j in parts]
    total = [shown[j] for j in whole] if whole is not None else [shown_number(row.total)]
    if any(v is None for v in [*part, *total]):
        return None
    return sum(v or 0 for v in part), sum(v or 0 for v in total)


def row_share(row: FigureRow, parts: Sequence[int], whole: Sequence[int] | None) -> float | None:
    """The share of columns `parts` in columns `whole` (the row's total for None), from the
    figures the table shows: None where any of them is suppressed or the whole is nothing."""
    counts = row_counts(row, parts, whole)
    return None if counts is None else share(*counts)


def derived_share(parts: Sequence[int], whole: Sequence[int] | None, empty: str) -> Derive:
    """A derived column: the share of columns `parts` in columns `whole` (the total for None),
    shown only where every count it is worked out from is shown."""

    def derive(counts: list[int], hidden: list[bool], total: int, total_hidden: bool) -> Figure:
        used = [*parts, *(whole if whole is not None else [])]
        if any(hidden[j] for j in used) or (whole is None and total_hidden):
            return Figure(text=SUPPRESSED_MARK, suppressed=True)
        denominator = sum(counts[j] for j in whole) if whole is not None else total
        if denominator == 0:
            return Figure(text=empty, numeric=False)
        return Figure(text=_percent(sum(counts[j] for j in parts), denominator))

    return derive


def stacked_chart(table: FigureTable) -> Chart:
    """Each row's counts as shares of its total, one series a column."""
    return Chart(
        kind=ChartKind.STACKED,
        title=table.caption,
        categories=[row.label for row in table.rows],
        series=[
            Series(name=column, values=[row_share(row, [j], None) for row in table.rows])
            for j, column in enumerate(table.columns)
        ],
    )


def bars_chart(
    table: FigureTable, name: str, parts: Sequence[int], whole: Sequence[int] | None
) -> Chart:
    return Chart(
        kind=ChartKind.BARS,
        title=table.caption,
        categories=[row.label for row in table.rows],
        series=[Series(name=name, values=[row_share(row, parts, whole) for row in table.rows])],
    )


def keyed(key: str, index: int) -> str:
    return key if index == 0 else f"{key}-{index + 1}"


def recent_cycles(scope: ReportScope) -> list[Cycle]:
    """The scope's cycle and up to three of its services' cycles before it, oldest first. One
    query."""
    cycles = (
        Cycle.objects.filter(services__in=scope.service_ids)
        .filter(Q(starts_on__lt=scope.cycle.starts_on) | Q(pk=scope.cycle.pk))
        .distinct()
        .order_by("-starts_on", "-id")[:TREND_CYCLES]
    )
    return sorted(cycles, key=lambda c: (c.starts_on, c.pk))


def cycle_label(cycle: Cycle, scope: ReportScope) -> str:
    return cycle.name + (" (this cycle)" if cycle.pk == scope.cycle.pk else "")
