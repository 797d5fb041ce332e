"""Compliance by check (and by team, for leaders), and the shift from compliance checks to
quality judgements across cycles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from auditloop.audits.models import Audit
from auditloop.learning.selectors.team_picture import COMPLIANCE_COLUMNS, compliance_tables
from auditloop.reports.blocks import Block, Chart, ChartKind, Series
from auditloop.reports.selectors.figures.parts import (
    bars_chart,
    compliance_by_team_counts,
    compliance_counts,
    counted_audits,
    cycle_label,
    derived_share,
    group_names,
    keyed,
    quality_counts,
    recent_cycles,
    row_share,
    scoped_table,
    sorted_groups,
    withheld_words,
)
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope
from auditloop.sampling.models import Cycle


def compliance_by_check(scope: ReportScope) -> list[Block]:
    """The compliance rate (yes of yes and no) of each compliance check, one table per tool;
    for leaders reading more than one team, the rate by team beside it (which team stands
    out). Six queries (four where rows are services)."""
    heading = "Compliance by check"
    counted = counted_audits(scope)
    if not counted.n:
        words = "No audit in this cycle has been submitted yet, so there are no checks to count."
        return [Block(key="compliance-by-check", heading=heading, words=[words])]
    withheld = withheld_words(scope, counted.n, counted.people)
    if withheld:
        return [Block(key="compliance-by-check", heading=heading, words=[withheld])]
    tables = compliance_tables(
        audits_in_scope(scope),
        audit_ids=counted.ids,
        version_ids=counted.versions,
        small_counts=scope.small_counts,
        counts=compliance_counts(scope),
    )
    if not tables:
        words = "No compliance check of these audits has been answered."
        return [Block(key="compliance-by-check", heading=heading, words=[words])]
    blocks = [
        Block(
            key=keyed("compliance-by-check", index),
            heading=table.caption,
            table=table,
            chart=bars_chart(table, "Yes (of yes and no)", [0], [0, 1]),
        )
        for index, table in enumerate(tables)
    ]
    if scope.names_teams:
        by_team = compliance_by_team_counts(scope)
        if len(by_team) > 1:
            names = group_names(scope, list(by_team))
            teams = sorted_groups(by_team, names)
            table = scoped_table(
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
                derive=derived_share([0], [0, 1], "No yes or no"),
            )
            blocks.append(
                Block(
                    key="compliance-by-team",
                    heading="Compliance by team",
                    table=table,
                    chart=bars_chart(table, "Yes (of yes and no)", [0], [0, 1]),
                )
            )
    return blocks


# Quality judgements against compliance checks ---------------------------------------------------


@dataclass(frozen=True)
class _CycleAudits:
    cycles: list[Cycle]
    ids: QuerySet[Audit, int]  # a subquery: see `parts.Counted`
    sizes: dict[int, tuple[int, int]]  # cycle -> (audits, people)


def _cycle_audits(scope: ReportScope) -> _CycleAudits:
    """The scope's audits that count in its cycle and up to three before it, with how many
    audits and people's cases each cycle has; only the cycles with any. Two queries."""
    cycles = recent_cycles(scope)
    audits = audits_in_scope(scope, cycle_ids=[c.pk for c in cycles])
    rows = audits.values_list("cycle_link__cycle_id", "practitioner_id").annotate(n=Count("pk"))
    counts: dict[int, int] = defaultdict(int)
    people: dict[int, set[int]] = defaultdict(set)
    for cycle, person, n in rows.order_by():
        counts[cycle] += n
        people[cycle].add(person)
    return _CycleAudits(
        cycles=[c for c in cycles if c.pk in counts],
        ids=audits.order_by().values_list("pk", flat=True),
        sizes={cycle: (counts[cycle], len(people[cycle])) for cycle in counts},
    )


QUALITY_COLUMNS = ["Quality judgements (graded questions)", "Compliance checks"]


def quality_share(scope: ReportScope) -> list[Block]:
    """The answers given across this cycle and up to three before it: quality judgements
    (graded questions) against compliance checks, and the share that are quality judgements:
    the shift from compliance to quality. Two queries, and the scope's `answer_counts`."""
    heading = "Quality judgements and compliance checks"
    found = _cycle_audits(scope)
    if not found.sizes:
        words = "No audit of this or the last cycles has been submitted yet, so there are no "
        words += "answers to count."
        return [Block(key="quality-share", heading=heading, words=[words])]
    counts = quality_counts(scope)
    empty = (0, 0)
    table = scoped_table(
        scope,
        caption="Answers by cycle: quality judgements and compliance checks",
        row_heading="Cycle",
        columns=QUALITY_COLUMNS,
        rows=[
            (
                cycle_label(c, scope),
                list(counts.get(c.pk, empty)),
            )
            for c in found.cycles
        ],
        row_groups=[found.sizes[c.pk][0] for c in found.cycles],
        row_people=[found.sizes[c.pk][1] for c in found.cycles],
        column_totals=False,
        total_heading="Answers",
        derived_heading="Share quality judgements",
        derive=derived_share([0], None, "No answers"),
    )
    chart = Chart(
        kind=ChartKind.LINE,
        title="Share of answers that are quality judgements, by cycle",
        categories=[row.label for row in table.rows],
        series=[
            Series(name="Quality judgements", values=[row_share(r, [0], None) for r in table.rows])
        ],
    )
    return [Block(key="quality-share", heading=heading, table=table, chart=chart)]
