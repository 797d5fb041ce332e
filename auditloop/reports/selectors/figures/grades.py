"""The grades: overall by team (or service), by domain, and across cycles against the targets
the council set."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from auditloop.audits.models import Grade
from auditloop.audits.selectors.audits import overall_grade_counted
from auditloop.learning.selectors.team_picture import (
    GOOD_OR_BETTER,
    _good_share,
    _percent,
    domain_tables,
    figure_table,
    grades_of_scales,
)
from auditloop.reports.blocks import Block, Chart, ChartKind, Series
from auditloop.reports.models import Target, TargetMeasure
from auditloop.reports.selectors.figures.parts import (
    NO_AUDITS,
    counted_audits,
    cycle_label,
    grade_counts,
    group_field,
    group_names,
    keyed,
    recent_cycles,
    row_counts,
    row_share,
    scoped_table,
    share,
    stacked_chart,
    withheld_words,
)
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope


def grades_overall(scope: ReportScope) -> list[Block]:
    """The overall grades that count, by team (or service), one table per grading scale, with
    the share Good or better; and its chart. Three queries."""
    audits = audits_in_scope(scope)
    group = group_field(scope)
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
    names = group_names(scope, list(sizes))
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
                        else share(int(row.cells[j].text), int(row.total.text))
                        for row in table.rows
                    ],
                )
                for j, grade in enumerate(scale_grades)
            ],
        )
        key = "grades-overall" if index == 0 else f"grades-overall-{index + 1}"
        blocks.append(Block(key=key, heading="Overall grades", table=table, chart=chart))
    return blocks


def grades_by_domain(scope: ReportScope) -> list[Block]:
    """The grades that count of each graded question (domain), one table per tool. Four
    queries, and the scope's `answer_counts`."""
    heading = "Grades by domain"
    counted = counted_audits(scope)
    if not counted.n:
        return [Block(key="grades-by-domain", heading=heading, words=[NO_AUDITS])]
    withheld = withheld_words(scope, counted.n, counted.people)
    if withheld:
        return [Block(key="grades-by-domain", heading=heading, words=[withheld])]
    audits = audits_in_scope(scope)
    tables = domain_tables(
        audits,
        grades_of_scales(audits, version_ids=counted.versions),
        audit_ids=counted.ids,
        version_ids=counted.versions,
        small_counts=scope.small_counts,
        counts=grade_counts(scope),
    )
    if not tables:
        words = "No graded question of these audits has a grade yet."
        return [Block(key="grades-by-domain", heading=heading, words=[words])]
    return [
        Block(
            key=keyed("grades-by-domain", index),
            heading=table.caption,
            table=table,
            chart=stacked_chart(table),
        )
        for index, table in enumerate(tables)
    ]


@dataclass(frozen=True)
class _TargetSet:
    measure: str
    percent: int | None
    words: str  # why there is none, where there is none; else which one it is, if need be


def _targets(scope: ReportScope) -> dict[str, _TargetSet]:
    """Each measure's target for the scope: the services' own where every service in scope
    has the same one, else the council-wide one; with words saying which it is where any
    service has its own, and (for leaders) what the services' own are. One query."""
    found: dict[str, dict[int | None, int]] = defaultdict(dict)
    service_names: dict[int, str] = {}
    for measure, service, name, percent in Target.objects.filter(
        Q(service_id__in=scope.service_ids) | Q(service__isnull=True)
    ).values_list("measure", "service_id", "service__name", "percent"):
        found[measure][service] = percent
        if service is not None:
            service_names[service] = name
    targets = {}
    for measure in TargetMeasure.values:
        by_service = found.get(measure, {})
        own = {s: by_service[s] for s in scope.service_ids if s in by_service}
        every = len(own) == len(scope.service_ids)
        council = by_service.get(None)
        if every and len(set(own.values())) == 1:
            whose = "the service's" if len(own) == 1 else "these services'"
            words = f"This is {whose} own target." if council is not None else ""
            targets[measure] = _TargetSet(measure, next(iter(own.values())), words)
            continue
        some = (
            "These services have different targets of their own"
            if every
            else "Only some of these services have their own target"
        )
        listed = _own_targets(measure, own, service_names, scope)
        if council is not None:
            words = f"This is the council-wide target. {some}, not compared here." if own else ""
            targets[measure] = _TargetSet(measure, council, " ".join(filter(None, [words, listed])))
        elif own:
            words = f"{some} and the council has set none for them all, so none is compared here."
            targets[measure] = _TargetSet(measure, None, " ".join([words, listed]).strip())
        else:
            targets[measure] = _TargetSet(measure, None, "")
    return targets


def _own_targets(
    measure: str, own: dict[int, int], names: dict[int, str], scope: ReportScope
) -> str:
    """The services' own targets in words, for leaders (who read the services by name);
    nothing for the committee. A target names a service, never a person."""
    if not own or not scope.names_teams:
        return ""
    _, aim = TARGET_WORDS[TargetMeasure(measure)]
    listed = "; ".join(
        f"{names[s]}: {aim.format(percent=own[s])}"
        for s in sorted(own, key=lambda s: names[s].lower())
    )
    return f"Their own targets: {listed}."


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
    cycles = recent_cycles(scope)
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
        table = scoped_table(
            scope,
            caption="Overall grades by cycle",
            row_heading="Cycle",
            columns=[g.label for g in scale_grades],
            rows=[
                (cycle_label(c, scope), [by_scale[scale][c.pk].get(g.pk, 0) for g in scale_grades])
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
            Series("Share Inadequate", [row_share(r, inadequate, None) for r in table.rows]),
            Series(
                f"Share {GOOD_OR_BETTER.lower()}", [row_share(r, good, None) for r in table.rows]
            ),
        ]
        this_row = next(
            (r for c, r in zip(shown_cycles, table.rows, strict=True) if c == scope.cycle), None
        )
        this_graded = this_row is not None and sum(by_scale[scale][scope.cycle.pk].values()) > 0
        shares = {
            TargetMeasure.INADEQUATE_AT_MOST: (
                row_counts(this_row, inadequate, None) if this_row else None
            ),
            TargetMeasure.GOOD_AT_LEAST: row_counts(this_row, good, None) if this_row else None,
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
            if target.percent is not None and target.words:
                words.append(target.words)
        if all(t.percent is None and not t.words for t in targets.values()):
            words.append(NO_TARGETS)
        chart = Chart(
            kind=ChartKind.LINE,
            title="Share Inadequate and share good or better, by cycle, against the targets",
            categories=[r.label for r in table.rows],
            series=series,
        )
        blocks.append(
            Block(key=keyed("trend", index), heading=heading, table=table, chart=chart, words=words)
        )
    return blocks
