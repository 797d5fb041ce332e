"""The figures of the dashboards and the cycle review, each as `Block`s for a `ReportScope`.

Each function asks a fixed number of aggregate queries, however many audits the scope has
(a test counts them on a small and a large council). Rows are teams where the scope names
teams, else services. Small groups (and, for the committee, small counts) are suppressed by
`figure_table`. A function with nothing to count returns its block with words saying so.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats

from auditloop.accounts.models import Service, Team
from auditloop.assurance.access.agreement import BOARD_MIN_AUDITORS
from auditloop.assurance.rules.agreement import Figure as AgreementFigure
from auditloop.assurance.selectors.agreement import (
    NO_REGRADE_YET,
    REGRADED,
    agreement_by_cycle,
)
from auditloop.audits.access.audits import grades_hidden_filter
from auditloop.audits.models import (
    SHARED_STATUSES,
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditType,
    Grade,
    QuestionKind,
)
from auditloop.audits.rules import WRITABLE_STATUSES
from auditloop.audits.selectors.actions import today as actions_today
from auditloop.audits.selectors.audits import overall_grade_counted
from auditloop.learning.rules.suppression import SUPPRESSED_MARK, group_suppressed
from auditloop.learning.selectors.team_picture import (
    COMPLIANCE_COLUMNS,
    GOOD_OR_BETTER,
    TREND_CYCLES,
    Derive,
    _good_share,
    _percent,
    compliance_tables,
    domain_tables,
    figure_table,
    grades_of_scales,
    small_group_min,
    themes_table,
    withheld_message,
)
from auditloop.reports.blocks import (
    Block,
    Chart,
    ChartKind,
    Figure,
    FigureRow,
    FigureTable,
    Section,
    Series,
)
from auditloop.reports.models import Target, TargetMeasure
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope
from auditloop.sampling.models import Cycle, CycleAudit

NO_AUDITS = "No audit in this cycle has been submitted yet, so there are no grades to count."


def _group_field(scope: ReportScope) -> str:
    return "team_id" if scope.names_teams else "team__service_id"


def _group_names(scope: ReportScope, ids: list[int]) -> dict[int, str]:
    model = Team if scope.names_teams else Service
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def grades_overall(scope: ReportScope) -> list[Block]:
    """The overall grades that count, by team (or service), one table per grading scale, with
    the share Good or better; and its chart. Three queries."""
    audits = audits_in_scope(scope)
    group = _group_field(scope)
    sizes = {
        row[group]: (row["n"], row["people"])
        for row in audits.values(group)
        .annotate(n=Count("pk"), people=Count("practitioner", distinct=True))
        .order_by()
    }
    counts = (
        audits.annotate(counted=overall_grade_counted("id"))
        .exclude(counted=None)
        .values("tool_version__grading_scale_id", group, "counted")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_scale: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in counts:
        by_scale[row["tool_version__grading_scale_id"]][row[group]][row["counted"]] = row["n"]
    if not by_scale:
        return [Block(key="grades-overall", heading="Overall grades", words=[NO_AUDITS])]
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=list(by_scale)).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    names = _group_names(scope, list(sizes))
    blocks = []
    for index, scale in enumerate(sorted(by_scale)):
        scale_grades = grades[scale]
        groups = sorted(by_scale[scale], key=lambda g: names.get(g, ""))
        table = figure_table(
            caption="Overall grades" + (" by team" if scope.names_teams else " by service"),
            row_heading="Team" if scope.names_teams else "Service",
            columns=[g.label for g in scale_grades],
            rows=[
                (names.get(g, ""), [by_scale[scale][g].get(x.pk, 0) for x in scale_grades])
                for g in groups
            ],
            row_groups=[sizes[g][0] for g in groups],
            row_people=[sizes[g][1] for g in groups],
            total_heading="Audits with an overall grade",
            derived_heading=f"Share {GOOD_OR_BETTER.lower()}",
            derive=_good_share(scale_grades),
            small_counts=scope.small_counts,
            small_groups=not scope.is_own,
        )
        chart = Chart(
            kind=ChartKind.STACKED,
            title=table.caption,
            categories=[row.label for row in table.rows],
            series=[
                Series(
                    name=grade.label,
                    values=[
                        None
                        if row.cells[j].suppressed or row.total is None or row.total.suppressed
                        else _share(int(row.cells[j].text), int(row.total.text))
                        for row in table.rows
                    ],
                )
                for j, grade in enumerate(scale_grades)
            ],
        )
        key = "grades-overall" if index == 0 else f"grades-overall-{index + 1}"
        blocks.append(Block(key=key, heading="Overall grades", table=table, chart=chart))
    return blocks


# Shared by the figures below ------------------------------------------------------------------


@dataclass(frozen=True)
class _Counted:
    """The audits that count in a scope: their ids (answers and points are counted by this
    list, never by a subquery of audits), and how many audits and people's cases are behind
    each row (team or service) and behind the whole scope."""

    ids: list[int]
    sizes: dict[int, tuple[int, int]]
    people: int

    @property
    def n(self) -> int:
        return len(self.ids)


def _counted(scope: ReportScope) -> _Counted:
    """One query."""
    group = _group_field(scope)
    rows = list(audits_in_scope(scope).values_list("id", group, "practitioner_id").order_by())
    audits: dict[int, int] = defaultdict(int)
    people: dict[int, set[int]] = defaultdict(set)
    for _, key, person in rows:
        audits[key] += 1
        people[key].add(person)
    return _Counted(
        ids=[row[0] for row in rows],
        sizes={key: (audits[key], len(people[key])) for key in audits},
        people=len({row[2] for row in rows}),
    )


def _withheld(scope: ReportScope, audits: int, people: int) -> str:
    """Why figures over the whole scope are not shown (too few audits, or of too few people's
    cases), or "" when they are. Never for a practitioner's own audits: they read each one."""
    if scope.is_own:
        return ""
    threshold = small_group_min()
    if group_suppressed(audits, threshold=threshold, people=people):
        return withheld_message(threshold, audits=audits)
    return ""


def _table(scope: ReportScope, **kwargs: Any) -> FigureTable:
    """`figure_table` with the scope's suppression: small counts for the committee, small
    groups for everyone but a practitioner reading their own audits."""
    return figure_table(**kwargs, small_counts=scope.small_counts, small_groups=not scope.is_own)


def _rows_by(scope: ReportScope) -> tuple[str, str]:
    """A by-rows caption's end and the row heading."""
    return (" by team", "Team") if scope.names_teams else (" by service", "Service")


def _sorted_groups(groups: Iterable[int], names: dict[int, str]) -> list[int]:
    return sorted(groups, key=lambda g: (names.get(g, "").lower(), g))


def _number(figure: Figure | None) -> int | None:
    """A count as shown, None where it is suppressed (or not a count)."""
    if figure is None or figure.suppressed:
        return None
    try:
        return int(figure.text)
    except ValueError:
        return None


def _row_counts(
    row: FigureRow, parts: Sequence[int], whole: Sequence[int] | None
) -> tuple[int, int] | None:
    """The counts of columns `parts` and of columns `whole` (the row's total for None), from
    the figures the table shows: None where any of them is suppressed."""
    shown = [_number(cell) for cell in row.cells]
    part = [shown[j] for j in parts]
    total = [shown[j] for j in whole] if whole is not None else [_number(row.total)]
    if any(v is None for v in [*part, *total]):
        return None
    return sum(v or 0 for v in part), sum(v or 0 for v in total)


def _row_share(row: FigureRow, parts: Sequence[int], whole: Sequence[int] | None) -> float | None:
    """The share of columns `parts` in columns `whole` (the row's total for None), from the
    figures the table shows: None where any of them is suppressed or the whole is nothing."""
    counts = _row_counts(row, parts, whole)
    return None if counts is None else _share(*counts)


def _derived_share(parts: Sequence[int], whole: Sequence[int] | None, empty: str) -> Derive:
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


def _stacked_chart(table: FigureTable) -> Chart:
    """Each row's counts as shares of its total, one series a column."""
    return Chart(
        kind=ChartKind.STACKED,
        title=table.caption,
        categories=[row.label for row in table.rows],
        series=[
            Series(name=column, values=[_row_share(row, [j], None) for row in table.rows])
            for j, column in enumerate(table.columns)
        ],
    )


def _bars_chart(
    table: FigureTable, name: str, parts: Sequence[int], whole: Sequence[int] | None
) -> Chart:
    return Chart(
        kind=ChartKind.BARS,
        title=table.caption,
        categories=[row.label for row in table.rows],
        series=[Series(name=name, values=[_row_share(row, parts, whole) for row in table.rows])],
    )


def _keyed(key: str, index: int) -> str:
    return key if index == 0 else f"{key}-{index + 1}"


def _recent_cycles(scope: ReportScope) -> list[Cycle]:
    """The scope's cycle and up to three of its services' cycles before it, oldest first. One
    query."""
    cycles = (
        Cycle.objects.filter(services__in=scope.service_ids)
        .filter(Q(starts_on__lt=scope.cycle.starts_on) | Q(pk=scope.cycle.pk))
        .distinct()
        .order_by("-starts_on", "-id")[:TREND_CYCLES]
    )
    return sorted(cycles, key=lambda c: (c.starts_on, c.pk))


def _cycle_label(cycle: Cycle, scope: ReportScope) -> str:
    return cycle.name + (" (this cycle)" if cycle.pk == scope.cycle.pk else "")


# Progress -------------------------------------------------------------------------------------

PROGRESS_COLUMNS = ["Done (submitted or completed)", "Not done yet"]
NO_PLAN = "This cycle has no audits planned yet, so there is no progress to show."


def _planned(scope: ReportScope) -> QuerySet[CycleAudit]:
    """The cycle's planned audits in scope, whatever their status (drafts too: planned is
    planned), never a calibration audit."""
    planned = CycleAudit.objects.filter(
        cycle=scope.cycle, audit__team__service_id__in=scope.service_ids
    ).exclude(audit__audit_type=AuditType.CALIBRATION)
    if scope.team_ids is not None:
        planned = planned.filter(audit__team_id__in=scope.team_ids)
    if scope.practitioner_id is not None:
        planned = planned.filter(audit__practitioner_id=scope.practitioner_id)
    return planned


def _cycle_months(cycle: Cycle) -> list[datetime.date]:
    months = []
    month = cycle.starts_on.replace(day=1)
    while month <= cycle.ends_on:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def progress(scope: ReportScope) -> list[Block]:
    """Planned against done: by team (or service) and by month of the cycle. Planned: the
    cycle's audits in scope whatever their status; done: submitted or completed (a status, not
    a grade, so a reader's blind moderations count here). Three queries."""
    planned = _planned(scope)
    group = f"audit__{_group_field(scope)}"
    done = Count("pk", filter=Q(audit__status__in=SHARED_STATUSES))
    by_group = {
        row[group]: row
        for row in planned.values(group)
        .annotate(n=Count("pk"), done=done, people=Count("audit__practitioner", distinct=True))
        .order_by()
    }
    if not by_group:
        return [Block(key="progress", heading="Progress", words=[NO_PLAN])]
    by_month = {
        row["planned_month"]: row
        for row in planned.values("planned_month").annotate(n=Count("pk"), done=done).order_by()
    }
    names = _group_names(scope, list(by_group))
    groups = _sorted_groups(by_group, names)
    ending, heading = _rows_by(scope)
    share = _derived_share([0], None, "None planned")
    table = _table(
        scope,
        caption="Audits done of those planned" + ending,
        row_heading=heading,
        columns=PROGRESS_COLUMNS,
        rows=[
            (names.get(g, ""), [by_group[g]["done"], by_group[g]["n"] - by_group[g]["done"]])
            for g in groups
        ],
        row_groups=[by_group[g]["n"] for g in groups],
        row_people=[by_group[g]["people"] for g in groups],
        total_heading="Planned",
        derived_heading="Share done",
        derive=share,
    )
    months = sorted(set(_cycle_months(scope.cycle)) | set(by_month))
    empty = {"n": 0, "done": 0}
    month_table = _table(
        scope,
        caption="Audits done of those planned by month",
        row_heading="Month planned",
        columns=PROGRESS_COLUMNS,
        rows=[
            (
                formats.date_format(month, "F Y"),
                [
                    by_month.get(month, empty)["done"],
                    by_month.get(month, empty)["n"] - by_month.get(month, empty)["done"],
                ],
            )
            for month in months
        ],
        total_heading="Planned",
        derived_heading="Share done",
        derive=share,
    )
    return [
        Block(
            key="progress",
            heading="Progress" + ending,
            table=table,
            chart=_bars_chart(table, "Share done", [0], None),
        ),
        Block(
            key="progress-by-month",
            heading="Progress by month",
            table=month_table,
            chart=_bars_chart(month_table, "Share done", [0], None),
        ),
    ]


# Grades by domain, compliance by check --------------------------------------------------------


def grades_by_domain(scope: ReportScope) -> list[Block]:
    """The grades that count of each graded question (domain), one table per tool. Five
    queries."""
    heading = "Grades by domain"
    counted = _counted(scope)
    if not counted.n:
        return [Block(key="grades-by-domain", heading=heading, words=[NO_AUDITS])]
    withheld = _withheld(scope, counted.n, counted.people)
    if withheld:
        return [Block(key="grades-by-domain", heading=heading, words=[withheld])]
    audits = audits_in_scope(scope)
    tables = domain_tables(
        audits, grades_of_scales(audits), audit_ids=counted.ids, small_counts=scope.small_counts
    )
    if not tables:
        words = "No graded question of these audits has a grade yet."
        return [Block(key="grades-by-domain", heading=heading, words=[words])]
    return [
        Block(
            key=_keyed("grades-by-domain", index),
            heading=table.caption,
            table=table,
            chart=_stacked_chart(table),
        )
        for index, table in enumerate(tables)
    ]


def compliance_by_check(scope: ReportScope) -> list[Block]:
    """The compliance rate (yes of yes and no) of each compliance check, one table per tool;
    for leaders reading more than one team, the rate by team beside it (which team stands
    out). Six queries (four where rows are services)."""
    heading = "Compliance by check"
    counted = _counted(scope)
    if not counted.n:
        words = "No audit in this cycle has been submitted yet, so there are no checks to count."
        return [Block(key="compliance-by-check", heading=heading, words=[words])]
    withheld = _withheld(scope, counted.n, counted.people)
    if withheld:
        return [Block(key="compliance-by-check", heading=heading, words=[withheld])]
    tables = compliance_tables(
        audits_in_scope(scope), audit_ids=counted.ids, small_counts=scope.small_counts
    )
    if not tables:
        words = "No compliance check of these audits has been answered."
        return [Block(key="compliance-by-check", heading=heading, words=[words])]
    blocks = [
        Block(
            key=_keyed("compliance-by-check", index),
            heading=table.caption,
            table=table,
            chart=_bars_chart(table, "Yes (of yes and no)", [0], [0, 1]),
        )
        for index, table in enumerate(tables)
    ]
    if scope.names_teams:
        by_team: dict[int, dict[str, int]] = defaultdict(dict)
        for row in (
            Answer.objects.filter(audit_id__in=counted.ids, question__kind=QuestionKind.COMPLIANCE)
            .exclude(compliance="")
            .values("audit__team_id", "compliance")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            by_team[row["audit__team_id"]][row["compliance"]] = row["n"]
        if len(by_team) > 1:
            names = _group_names(scope, list(by_team))
            teams = _sorted_groups(by_team, names)
            table = _table(
                scope,
                caption="Compliance checks by team",
                row_heading="Team",
                columns=[label for _, label in COMPLIANCE_COLUMNS],
                rows=[
                    (names.get(t, ""), [by_team[t].get(v, 0) for v, _ in COMPLIANCE_COLUMNS])
                    for t in teams
                ],
                row_groups=[counted.sizes[t][0] for t in teams],
                row_people=[counted.sizes[t][1] for t in teams],
                total_heading="Answers",
                derived_heading="Yes (of yes and no)",
                derive=_derived_share([0], [0, 1], "No yes or no"),
            )
            blocks.append(
                Block(
                    key="compliance-by-team",
                    heading="Compliance by team",
                    table=table,
                    chart=_bars_chart(table, "Yes (of yes and no)", [0], [0, 1]),
                )
            )
    return blocks


# Quality judgements against compliance checks, and the trend -----------------------------------


@dataclass(frozen=True)
class _CycleAudits:
    cycles: list[Cycle]
    ids: list[int]
    sizes: dict[int, tuple[int, int]]  # cycle -> (audits, people)


def _cycle_audits(scope: ReportScope) -> _CycleAudits:
    """The scope's audits that count in its cycle and up to three before it, with how many
    audits and people's cases each cycle has; only the cycles with any. Two queries."""
    cycles = _recent_cycles(scope)
    rows = list(
        audits_in_scope(scope, cycle_ids=[c.pk for c in cycles])
        .values_list("id", "cycle_link__cycle_id", "practitioner_id")
        .order_by()
    )
    audits: dict[int, int] = defaultdict(int)
    people: dict[int, set[int]] = defaultdict(set)
    for _, cycle, person in rows:
        audits[cycle] += 1
        people[cycle].add(person)
    return _CycleAudits(
        cycles=[c for c in cycles if c.pk in audits],
        ids=[row[0] for row in rows],
        sizes={cycle: (audits[cycle], len(people[cycle])) for cycle in audits},
    )


QUALITY_COLUMNS = ["Quality judgements (graded questions)", "Compliance checks"]


def quality_share(scope: ReportScope) -> list[Block]:
    """The answers given across this cycle and up to three before it: quality judgements
    (graded questions) against compliance checks, and the share that are quality judgements:
    the shift from compliance to quality. Three queries."""
    heading = "Quality judgements and compliance checks"
    found = _cycle_audits(scope)
    if not found.ids:
        words = "No audit of this or the last cycles has been submitted yet, so there are no "
        words += "answers to count."
        return [Block(key="quality-share", heading=heading, words=[words])]
    counts = {
        row["audit__cycle_link__cycle_id"]: row
        for row in Answer.objects.filter(audit_id__in=found.ids)
        .values("audit__cycle_link__cycle_id")
        .annotate(
            quality=Count("pk", filter=Q(question__kind=QuestionKind.GRADED, grade__isnull=False)),
            checks=Count(
                "pk", filter=Q(question__kind=QuestionKind.COMPLIANCE) & ~Q(compliance="")
            ),
        )
        .order_by()
    }
    empty = {"quality": 0, "checks": 0}
    table = _table(
        scope,
        caption="Answers by cycle: quality judgements and compliance checks",
        row_heading="Cycle",
        columns=QUALITY_COLUMNS,
        rows=[
            (
                _cycle_label(c, scope),
                [counts.get(c.pk, empty)["quality"], counts.get(c.pk, empty)["checks"]],
            )
            for c in found.cycles
        ],
        row_groups=[found.sizes[c.pk][0] for c in found.cycles],
        row_people=[found.sizes[c.pk][1] for c in found.cycles],
        column_totals=False,
        total_heading="Answers",
        derived_heading="Share quality judgements",
        derive=_derived_share([0], None, "No answers"),
    )
    chart = Chart(
        kind=ChartKind.LINE,
        title="Share of answers that are quality judgements, by cycle",
        categories=[row.label for row in table.rows],
        series=[
            Series(name="Quality judgements", values=[_row_share(r, [0], None) for r in table.rows])
        ],
    )
    return [Block(key="quality-share", heading=heading, table=table, chart=chart)]


@dataclass(frozen=True)
class _TargetSet:
    measure: str
    percent: int | None
    words: str  # why there is none, where there is none


def _targets(scope: ReportScope) -> dict[str, _TargetSet]:
    """Each measure's target for the scope: the services' own where every service in scope
    has the same one, else the council-wide one. One query."""
    found: dict[str, dict[int | None, int]] = defaultdict(dict)
    for measure, service, percent in Target.objects.filter(
        Q(service_id__in=scope.service_ids) | Q(service__isnull=True)
    ).values_list("measure", "service_id", "percent"):
        found[measure][service] = percent
    targets = {}
    for measure in TargetMeasure.values:
        by_service = found.get(measure, {})
        own = {by_service.get(s) for s in scope.service_ids}
        if len(own) == 1 and None not in own:
            targets[measure] = _TargetSet(measure, own.pop(), "")
        elif None in by_service:
            targets[measure] = _TargetSet(measure, by_service[None], "")
        elif len(own - {None}) > 0:
            words = "The services have different targets and the council has set none for "
            words += "them all, so none is compared here."
            targets[measure] = _TargetSet(measure, None, words)
        else:
            targets[measure] = _TargetSet(measure, None, "")
    return targets


TARGET_WORDS = {
    TargetMeasure.INADEQUATE_AT_MOST: ("Inadequate", "no more than {percent}% Inadequate"),
    TargetMeasure.GOOD_AT_LEAST: (GOOD_OR_BETTER, "at least {percent}% Good or better"),
}
NO_TARGETS = "The council has not set targets for the overall grades yet."


def _target_words(
    target: _TargetSet, counts: tuple[int, int] | None, this_cycle_shown: bool
) -> str:
    """Whether this cycle met the target, from `counts` (the audits in the measure, of those
    with an overall grade) as the table shows them (None where it suppresses them); met or
    not by the exact share, shown in whole percentages as the table shows it."""
    what, aim = TARGET_WORDS[TargetMeasure(target.measure)]
    if target.percent is None:
        return target.words
    aim = aim.format(percent=target.percent)
    if not this_cycle_shown:
        return f"Target: {aim}. This cycle has no overall grades to compare with it yet."
    if counts is None or counts[1] == 0:
        return (
            f"Target: {aim}. This cycle's share {what} is not shown (too few audits), so it "
            "is not compared."
        )
    part, whole = counts
    if target.measure == TargetMeasure.INADEQUATE_AT_MOST:
        met = 100 * part <= target.percent * whole
    else:
        met = 100 * part >= target.percent * whole
    shown = _percent(part, whole)
    return f"Target: {aim}. This cycle: {shown} {what}: {'met' if met else 'not met'}."


def trend(scope: ReportScope) -> list[Block]:
    """The overall grades across this and up to three earlier cycles, with the share
    Inadequate and the share Good or better against the targets the council set (`Target`).
    The distribution and the shares are one table, so that neither can be set against the
    other to work out what one suppresses. Five queries."""
    heading = "Overall grades across cycles, against the targets"
    cycles = _recent_cycles(scope)
    audits = audits_in_scope(scope, cycle_ids=[c.pk for c in cycles])
    sizes = {
        row["cycle_link__cycle_id"]: (row["n"], row["people"])
        for row in audits.values("cycle_link__cycle_id")
        .annotate(n=Count("pk"), people=Count("practitioner", distinct=True))
        .order_by()
    }
    by_scale: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in (
        audits.annotate(counted=overall_grade_counted("id"))
        .exclude(counted=None)
        .values("tool_version__grading_scale_id", "cycle_link__cycle_id", "counted")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_scale[row["tool_version__grading_scale_id"]][row["cycle_link__cycle_id"]][
            row["counted"]
        ] = row["n"]
    targets = _targets(scope)
    if not by_scale:
        words = [
            "No audit of this or the last cycles has an overall grade yet, so there is no "
            "trend to show."
        ]
        return [Block(key="trend", heading=heading, words=words)]
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=list(by_scale)).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    shown_cycles = [c for c in cycles if c.pk in sizes]
    blocks = []
    for index, scale in enumerate(sorted(by_scale)):
        scale_grades = grades[scale]
        inadequate = [j for j, g in enumerate(scale_grades) if g.is_inadequate]
        good = [j for j, g in enumerate(scale_grades) if not g.needs_action]
        table = _table(
            scope,
            caption="Overall grades by cycle",
            row_heading="Cycle",
            columns=[g.label for g in scale_grades],
            rows=[
                (
                    _cycle_label(c, scope),
                    [by_scale[scale][c.pk].get(g.pk, 0) for g in scale_grades],
                )
                for c in shown_cycles
            ],
            row_groups=[sizes[c.pk][0] for c in shown_cycles],
            row_people=[sizes[c.pk][1] for c in shown_cycles],
            column_totals=False,
            total_heading="Audits with an overall grade",
            derived_heading=f"Share {GOOD_OR_BETTER.lower()}",
            derive=_good_share(scale_grades),
        )
        series = [
            Series("Share Inadequate", [_row_share(r, inadequate, None) for r in table.rows]),
            Series(
                f"Share {GOOD_OR_BETTER.lower()}", [_row_share(r, good, None) for r in table.rows]
            ),
        ]
        this_row = next(
            (r for c, r in zip(shown_cycles, table.rows, strict=True) if c == scope.cycle),
            None,
        )
        this_graded = this_row is not None and sum(by_scale[scale][scope.cycle.pk].values()) > 0
        shares = {
            TargetMeasure.INADEQUATE_AT_MOST: (
                _row_counts(this_row, inadequate, None) if this_row else None
            ),
            TargetMeasure.GOOD_AT_LEAST: _row_counts(this_row, good, None) if this_row else None,
        }
        words = []
        for measure, target in targets.items():
            if target.percent is not None:
                _, aim = TARGET_WORDS[TargetMeasure(measure)]
                series.append(
                    Series(
                        "Target: " + aim.format(percent=target.percent),
                        [float(target.percent)] * len(table.rows),
                    )
                )
            said = _target_words(target, shares[TargetMeasure(measure)], this_graded)
            if said:
                words.append(said)
        if all(t.percent is None and not t.words for t in targets.values()):
            words.append(NO_TARGETS)
        chart = Chart(
            kind=ChartKind.LINE,
            title="Share Inadequate and share good or better, by cycle, against the targets",
            categories=[r.label for r in table.rows],
            series=series,
        )
        blocks.append(
            Block(
                key=_keyed("trend", index), heading=heading, table=table, chart=chart, words=words
            )
        )
    return blocks


# Moderation ----------------------------------------------------------------------------------

COVERAGE_COLUMNS = ["Moderated (regraded)", "Chosen, not regraded yet", "Not chosen"]
CHANGE_COLUMNS = ["Raised", "Unchanged", "Lowered"]
NO_AGREED = (
    "No moderation of these audits has agreed an overall grade yet, so no grade has been "
    "changed by moderation."
)
AGREEMENT_NARROWED = (
    "Agreement between auditors and moderators is measured across the services, not for one "
    "team or one person's audits: the audit lead's dashboard shows it."
)


def _agreement_figure(figure: AgreementFigure) -> Figure:
    if figure.value is None:
        return Figure(text="Not available", numeric=False)
    return Figure(text=figure.value_text)


def _agreement_block(scope: ReportScope) -> Block:
    """Auditor against moderator, by cycle (this and up to three before it), by the
    assurance figures and their own rule for what is withheld (figures from fewer than three
    auditors' audits, for the committee). Four queries."""
    heading = "Agreement between auditors and moderators"
    cycles = _recent_cycles(scope)
    rows = agreement_by_cycle(
        service_ids=scope.service_ids,
        cycles=cycles,
        min_auditors=BOARD_MIN_AUDITORS if scope.small_counts else 0,
    )
    if all(row.figures is not None and row.figures.n_items == 0 for row in rows):
        return Block(key="moderation-agreement", heading=heading, words=[NO_REGRADE_YET])
    shown = []
    for row, cycle in zip(rows, cycles, strict=True):
        label = _cycle_label(cycle, scope)
        figures = row.figures
        if figures is None:
            mark = Figure(text="Not shown", numeric=False)
            shown.append(FigureRow(label, [mark, mark, mark], mark, None, row.withheld))
        elif figures.n_items == 0:
            mark = Figure(text="None regraded", numeric=False)
            shown.append(FigureRow(label, [mark, mark, mark], Figure(text="0")))
        else:
            shown.append(
                FigureRow(
                    label,
                    [
                        _agreement_figure(figures.exact),
                        _agreement_figure(figures.within_one),
                        _agreement_figure(figures.kappa_quadratic),
                    ],
                    Figure(text=str(figures.n_items)),
                )
            )
    table = FigureTable(
        caption="Agreement between auditors and moderators by cycle",
        row_heading="Cycle",
        columns=["Exact agreement", "Within one grade", "Weighted kappa (quadratic)"],
        rows=shown,
        total_heading="Grades compared",
    )

    def percent(figure: AgreementFigure | None) -> float | None:
        return None if figure is None or figure.value is None else round(100 * figure.value, 1)

    chart = Chart(
        kind=ChartKind.LINE,
        title="Agreement between auditors and moderators by cycle",
        categories=[r.label for r in shown],
        series=[
            Series(
                "Exact agreement", [percent(r.figures.exact if r.figures else None) for r in rows]
            ),
            Series(
                "Within one grade",
                [percent(r.figures.within_one if r.figures else None) for r in rows],
            ),
        ],
    )
    words = [
        "Each graded question and overall grade the moderator regraded blind, against the "
        "auditor's own grade."
    ]
    return Block(key="moderation-agreement", heading=heading, table=table, chart=chart, words=words)


def moderation(scope: ReportScope) -> list[Block]:
    """Moderation coverage (the audits moderated of those counted), the grades moderation
    changed (the agreed overall grade against the auditor's), by team (or service), and the
    agreement between auditors and moderators. Two queries, and four for the agreement where
    the scope is whole services (it is not worked out for one team or person)."""
    group = _group_field(scope)
    regraded = Q(moderation__status__in=REGRADED)
    agreed = Q(agreed_overall_grade__isnull=False, overall_grade__isnull=False)
    counts = {
        row[group]: row
        for row in audits_in_scope(scope)
        .values(group)
        .annotate(
            n=Count("pk"),
            people=Count("practitioner", distinct=True),
            regraded=Count("pk", filter=regraded),
            chosen=Count("pk", filter=Q(moderation__isnull=False) & ~regraded),
            raised=Count(
                "pk", filter=agreed & Q(agreed_overall_grade__value__gt=F("overall_grade__value"))
            ),
            unchanged=Count(
                "pk", filter=agreed & Q(agreed_overall_grade__value=F("overall_grade__value"))
            ),
            lowered=Count(
                "pk", filter=agreed & Q(agreed_overall_grade__value__lt=F("overall_grade__value"))
            ),
        )
        .order_by()
    }
    narrowed = scope.team_ids is not None or scope.is_own
    if not counts:
        words = "No audit in this cycle has been submitted yet, so there is no moderation to count."
        return [Block(key="moderation-coverage", heading="Moderation coverage", words=[words])]
    names = _group_names(scope, list(counts))
    groups = _sorted_groups(counts, names)
    ending, row_heading = _rows_by(scope)
    sizes = {
        "row_groups": [counts[g]["n"] for g in groups],
        "row_people": [counts[g]["people"] for g in groups],
    }
    coverage = _table(
        scope,
        caption="Audits moderated" + ending,
        row_heading=row_heading,
        columns=COVERAGE_COLUMNS,
        rows=[
            (
                names.get(g, ""),
                [
                    counts[g]["regraded"],
                    counts[g]["chosen"],
                    counts[g]["n"] - counts[g]["regraded"] - counts[g]["chosen"],
                ],
            )
            for g in groups
        ],
        total_heading="Audits",
        derived_heading="Share moderated",
        derive=_derived_share([0], None, "No audits"),
        **sizes,
    )
    blocks = [
        Block(
            key="moderation-coverage",
            heading="Moderation coverage",
            table=coverage,
            chart=_bars_chart(coverage, "Share moderated", [0], None),
        )
    ]
    if sum(counts[g]["regraded"] for g in groups) == 0:
        blocks[0] = Block(
            key="moderation-coverage",
            heading="Moderation coverage",
            table=coverage,
            chart=blocks[0].chart,
            words=[NO_REGRADE_YET],
        )
    changes = [[counts[g][k] for k in ("raised", "unchanged", "lowered")] for g in groups]
    if not any(map(sum, changes)):
        blocks.append(Block(key="moderation-changes", heading="Grades changed", words=[NO_AGREED]))
    else:
        table = _table(
            scope,
            caption="Overall grades agreed in moderation against the auditor's" + ending,
            row_heading=row_heading,
            columns=CHANGE_COLUMNS,
            rows=[(names.get(g, ""), change) for g, change in zip(groups, changes, strict=True)],
            total_heading="Overall grades agreed",
            derived_heading="Share changed",
            derive=_derived_share([0, 2], None, "None agreed"),
            **sizes,
        )
        blocks.append(
            Block(
                key="moderation-changes",
                heading="Grades changed by moderation",
                table=table,
                chart=_stacked_chart(table),
            )
        )
    if narrowed:
        blocks.append(
            Block(
                key="moderation-agreement",
                heading="Agreement between auditors and moderators",
                words=[AGREEMENT_NARROWED],
            )
        )
    else:
        blocks.append(_agreement_block(scope))
    return blocks


# Actions and revisits -------------------------------------------------------------------------

ACTION_COLUMNS = ["Open, not yet due", "Overdue", "Waiting for sign-off", "Done"]


def overdue_actions(scope: ReportScope) -> list[Block]:
    """The actions of the scope's audits (cancelled ones left out): open, overdue (open and
    past their due date), waiting for sign-off and done, by team (or service). Three
    queries."""
    heading = "Actions"
    counted = _counted(scope)
    group = f"audit__{_group_field(scope)}"
    on = actions_today()
    open_ = Q(status=ActionStatus.OPEN)
    counts = {
        row[group]: [row["due"], row["overdue"], row["waiting"], row["done"]]
        for row in Action.objects.filter(audit_id__in=counted.ids)
        .exclude(status=ActionStatus.CANCELLED)
        .values(group)
        .annotate(
            due=Count("pk", filter=open_ & Q(due_date__gte=on)),
            overdue=Count("pk", filter=open_ & Q(due_date__lt=on)),
            waiting=Count("pk", filter=Q(status=ActionStatus.COMPLETED)),
            done=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
        )
        .order_by()
    }
    if not counts:
        words = "No action has been set from this cycle's audits yet."
        return [Block(key="actions", heading=heading, words=[words])]
    names = _group_names(scope, list(counts))
    groups = _sorted_groups(counts, names)
    ending, row_heading = _rows_by(scope)
    table = _table(
        scope,
        caption="Actions from the audits" + ending,
        row_heading=row_heading,
        columns=ACTION_COLUMNS,
        rows=[(names.get(g, ""), counts[g]) for g in groups],
        row_groups=[counted.sizes[g][0] for g in groups],
        row_people=[counted.sizes[g][1] for g in groups],
        total_heading="Actions",
        derived_heading="Overdue (of those open)",
        derive=_derived_share([1], [0, 1], "None open"),
    )
    return [Block(key="actions", heading=heading, table=table, chart=_stacked_chart(table))]


REVISIT_COLUMNS = ["Improved", "The same", "Worse", "Due", "Overdue"]


def revisit_outcomes(scope: ReportScope) -> list[Block]:
    """The revisits of the scope's audits: those done, by how the revisit's overall grade that
    counts compares with the earlier audit's (improved, the same, worse), and those due and
    overdue, by team (or service). A revisit whose grades the reader is regrading blind is
    left out (as `assurance.selectors.revisits` does). Three queries."""
    heading = "Revisit outcomes"
    counted = _counted(scope)
    group = f"revisit_of__{_group_field(scope)}"
    on = actions_today()
    after = overall_grade_counted("value")
    before = Coalesce("revisit_of__agreed_overall_grade__value", "revisit_of__overall_grade__value")
    # Compared on one scale only (grade values of two scales are not comparable).
    done = Q(status__in=SHARED_STATUSES) & Q(
        tool_version__grading_scale_id=F("revisit_of__tool_version__grading_scale_id")
    )
    waiting = Q(status__in=WRITABLE_STATUSES)
    revisits = Audit.objects.filter(revisit_of_id__in=counted.ids)
    if scope.reader is not None:
        revisits = revisits.exclude(grades_hidden_filter(scope.reader))
    counts = {
        row[group]: [
            row["improved"],
            row["same"],
            row["worse"],
            row["due"],
            row["overdue"],
        ]
        for row in revisits.alias(after=after, before=before)
        .values(group)
        .annotate(
            improved=Count("pk", filter=done & Q(after__gt=F("before"))),
            same=Count("pk", filter=done & Q(after=F("before"))),
            worse=Count("pk", filter=done & Q(after__lt=F("before"))),
            due=Count("pk", filter=waiting & (Q(due_date__gte=on) | Q(due_date__isnull=True))),
            overdue=Count("pk", filter=waiting & Q(due_date__lt=on)),
        )
        .order_by()
    }
    if not any(map(sum, counts.values())):
        words = "No audit of this cycle has been revisited, or has a revisit planned, yet."
        return [Block(key="revisits", heading=heading, words=[words])]
    names = _group_names(scope, list(counts))
    groups = _sorted_groups(counts, names)
    ending, row_heading = _rows_by(scope)
    table = _table(
        scope,
        caption="Revisits of the audits" + ending,
        row_heading=row_heading,
        columns=REVISIT_COLUMNS,
        rows=[(names.get(g, ""), counts[g]) for g in groups],
        row_groups=[counted.sizes[g][0] for g in groups],
        row_people=[counted.sizes[g][1] for g in groups],
        total_heading="Revisits",
        derived_heading="Improved (of those done)",
        derive=_derived_share([0], [0, 1, 2], "None done"),
    )
    notes = [
        "A revisit done compares its overall grade that counts with the earlier audit's. "
        "Due and overdue revisits are not yet done."
    ]
    return [
        Block(
            key="revisits", heading=heading, table=table, chart=_stacked_chart(table), words=notes
        )
    ]


# Themes --------------------------------------------------------------------------------------

THEMES_OWN = (
    "Themes are drawn from the learning points of a team's or a service's audits, not from "
    "one person's: your own audits' learning points are on each audit."
)


def themes(scope: ReportScope) -> list[Block]:
    """The learning points of the scope's audits by theme: good practice to share against
    areas for development. Not for a practitioner's own audits. Two queries."""
    heading = "Themes"
    if scope.is_own:
        return [Block(key="themes", heading=heading, words=[THEMES_OWN])]
    counted = _counted(scope)
    if not counted.n:
        words = "No audit in this cycle has been submitted yet, so there are no learning points."
        return [Block(key="themes", heading=heading, words=[words])]
    withheld = _withheld(scope, counted.n, counted.people)
    if withheld:
        return [Block(key="themes", heading=heading, words=[withheld])]
    table = themes_table(
        audits_in_scope(scope), audit_ids=counted.ids, small_counts=scope.small_counts
    )
    if table is None:
        words = "No learning point has been recorded from these audits yet."
        return [Block(key="themes", heading=heading, words=[words])]
    chart = Chart(
        kind=ChartKind.BARS,
        title=table.caption,
        categories=[row.label for row in table.rows],
        series=[
            Series(name=column, values=[_to_float(_number(row.cells[j])) for row in table.rows])
            for j, column in enumerate(table.columns)
        ],
        unit="",
    )
    notes = ["A learning point with two themes counts under both."]
    return [Block(key="themes", heading=heading, table=table, chart=chart, words=notes)]


def _to_float(value: int | None) -> float | None:
    return None if value is None else float(value)


# The dashboard -------------------------------------------------------------------------------


def dashboard_sections(scope: ReportScope) -> list[Section]:
    """Every section of a dashboard for `scope`, in the page's order. A fixed number of
    queries, however many audits the scope holds."""
    return [
        Section(key="progress", heading="Progress", blocks=progress(scope)),
        Section(
            key="grades",
            heading="Grades",
            blocks=[*grades_overall(scope), *trend(scope), *grades_by_domain(scope)],
        ),
        Section(key="compliance", heading="Compliance", blocks=compliance_by_check(scope)),
        Section(key="quality", heading="Quality and compliance", blocks=quality_share(scope)),
        Section(key="moderation", heading="Moderation", blocks=moderation(scope)),
        Section(
            key="actions",
            heading="Actions and revisits",
            blocks=[*overdue_actions(scope), *revisit_outcomes(scope)],
        ),
        Section(key="themes", heading="Themes", blocks=themes(scope)),
    ]
