"""The practitioners' experience of being audited, for the cycle review: how far those whose
practice was audited (and the managers in deep dives) found the audit supportive, the feedback
useful and the auditor alongside them, by service, by type of audit and across cycles.

The answers carry no person, audit or date (`ExperienceResponse`), only the service, the type
of audit and the cycle, so rows are services whoever reads. Every table suppresses small
counts as well as small groups, for every reader: a count of one "Strongly disagree" in a
service a leader knows could point at the person who said it. Three queries.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from auditloop.accounts.models import Service
from auditloop.assurance.models import Agreement, ExperienceResponse
from auditloop.assurance.rules.experience import STATEMENTS
from auditloop.audits.models import AuditType
from auditloop.learning.selectors.team_picture import figure_table
from auditloop.reports.blocks import Block, Chart, ChartKind, FigureTable, Series
from auditloop.reports.selectors.figures.parts import (
    cycle_label,
    derived_share,
    recent_cycles,
    row_share,
)
from auditloop.reports.selectors.scope import ReportScope

ANSWERS = [label for _, label in Agreement.choices]
AGREE_COLUMNS = [0, 1]
SHORT = {
    "supportive": "Supportive",
    "feedback_useful": "Feedback useful",
    "alongside": "Alongside",
}


def _table(caption: str, row_heading: str, rows: list[tuple[str, list[int]]]) -> FigureTable:
    return figure_table(
        caption=caption,
        row_heading=row_heading,
        columns=ANSWERS,
        rows=rows,
        row_groups=[sum(counts) for _, counts in rows],
        column_totals=False,
        total_heading="Answers",
        derived_heading="Agree",
        derive=derived_share(AGREE_COLUMNS, None, "No answers"),
        small_counts=True,
    )


def _counts(tally: Counter[str]) -> list[int]:
    return [tally[value] for value in Agreement.values]


def experience_blocks(scope: ReportScope) -> list[Block]:
    """The blocks of the review's section on the practitioners' experience (see the module)."""
    cycles = recent_cycles(scope)
    rows = list(
        ExperienceResponse.objects.filter(
            cycle_id__in=[c.pk for c in cycles], service_id__in=scope.service_ids
        )
        .values("cycle_id", "service_id", "audit_type", *(field for field, _ in STATEMENTS))
        .annotate(n=Count("pk"))
        .order_by()
    )
    this_cycle = [r for r in rows if r["cycle_id"] == scope.cycle.pk]
    if not this_cycle:
        return [
            Block(
                key="experience",
                heading="Asked about being audited",
                words=[
                    "No one whose practice was audited in this cycle has answered the questions "
                    "about being audited yet."
                ],
            )
        ]
    # (field, group) -> answers counted
    by_service: dict[tuple[str, int | None], Counter[str]] = {}
    by_type: dict[tuple[str, str], Counter[str]] = {}
    by_cycle: dict[tuple[str, int], Counter[str]] = {}
    for r in rows:
        for field, _ in STATEMENTS:
            by_cycle.setdefault((field, r["cycle_id"]), Counter())[r[field]] += r["n"]
            if r["cycle_id"] != scope.cycle.pk:
                continue
            by_service.setdefault((field, r["service_id"]), Counter())[r[field]] += r["n"]
            by_type.setdefault((field, r["audit_type"]), Counter())[r[field]] += r["n"]
    names = dict(
        Service.objects.filter(pk__in={s for _, s in by_service if s is not None}).values_list(
            "pk", "name"
        )
    )
    services = sorted({s for _, s in by_service}, key=lambda s: names.get(s or 0, "~"))
    blocks = []
    for field, statement in STATEMENTS:
        table = _table(
            f"{statement} Answers by service",
            "Service",
            [
                (names.get(s or 0, "No service"), _counts(by_service[(field, s)]))
                for s in services
                if (field, s) in by_service
            ],
        )
        blocks.append(
            Block(key=f"experience-{field.replace('_', '-')}", heading=statement, table=table)
        )
    types = [t for t in AuditType.values if any((f, t) in by_type for f, _ in STATEMENTS)]
    labels = dict(AuditType.choices)
    blocks.append(
        Block(
            key="experience-types",
            heading="By type of audit",
            table=_table(
                "Answers by type of audit",
                "Type of audit and statement",
                [
                    (f"{labels[t]}: {SHORT[field]}", _counts(by_type[(field, t)]))
                    for t in types
                    for field, _ in STATEMENTS
                    if (field, t) in by_type
                ],
            ),
        )
    )
    shown_cycles = [c for c in cycles if any((f, c.pk) in by_cycle for f, _ in STATEMENTS)]
    trend = _table(
        "Answers by cycle",
        "Cycle and statement",
        [
            (f"{cycle_label(c, scope)}: {SHORT[field]}", _counts(by_cycle[(field, c.pk)]))
            for c in shown_cycles
            for field, _ in STATEMENTS
        ],
    )
    per_row = {row.label: row for row in trend.rows}
    chart = Chart(
        kind=ChartKind.LINE,
        title="Share who agree, by cycle",
        categories=[cycle_label(c, scope) for c in shown_cycles],
        series=[
            Series(
                name=SHORT[field],
                values=[
                    row_share(
                        per_row[f"{cycle_label(c, scope)}: {SHORT[field]}"], AGREE_COLUMNS, None
                    )
                    for c in shown_cycles
                ],
            )
            for field, _ in STATEMENTS
        ],
    )
    blocks.append(
        Block(
            key="experience-trend",
            heading="Across cycles: is the audit team seen as alongside practitioners?",
            table=trend,
            chart=chart,
        )
    )
    return blocks
