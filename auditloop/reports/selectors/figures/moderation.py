"""Moderation: coverage, the grades moderation changed, and the agreement between auditors and
moderators."""

from __future__ import annotations

from django.db.models import Count, F, Q

from auditloop.assurance.access.agreement import BOARD_MIN_AUDITORS
from auditloop.assurance.rules.agreement import Figure as AgreementFigure
from auditloop.assurance.selectors.agreement import NO_REGRADE_YET, REGRADED, agreement_by_cycle
from auditloop.reports.blocks import Block, Chart, ChartKind, Figure, FigureRow, FigureTable, Series
from auditloop.reports.selectors.figures.parts import (
    bars_chart,
    cycle_label,
    derived_share,
    group_field,
    group_names,
    recent_cycles,
    rows_by,
    scoped_table,
    sorted_groups,
    stacked_chart,
)
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope

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
    cycles = recent_cycles(scope)
    rows = agreement_by_cycle(
        service_ids=scope.service_ids,
        cycles=cycles,
        min_auditors=BOARD_MIN_AUDITORS if scope.small_counts else 0,
    )
    if all(row.figures is not None and row.figures.n_items == 0 for row in rows):
        return Block(key="moderation-agreement", heading=heading, words=[NO_REGRADE_YET])
    shown = []
    for row, cycle in zip(rows, cycles, strict=True):
        label = cycle_label(cycle, scope)
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
    group = group_field(scope)
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
    names = group_names(scope, list(counts))
    groups = sorted_groups(counts, names)
    ending, row_heading = rows_by(scope)
    sizes = {
        "row_groups": [counts[g]["n"] for g in groups],
        "row_people": [counts[g]["people"] for g in groups],
    }
    coverage = scoped_table(
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
        derive=derived_share([0], None, "No audits"),
        **sizes,
    )
    blocks = [
        Block(
            key="moderation-coverage",
            heading="Moderation coverage",
            table=coverage,
            chart=bars_chart(coverage, "Share moderated", [0], None),
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
        table = scoped_table(
            scope,
            caption="Overall grades agreed in moderation against the auditor's" + ending,
            row_heading=row_heading,
            columns=CHANGE_COLUMNS,
            rows=[(names.get(g, ""), change) for g, change in zip(groups, changes, strict=True)],
            total_heading="Overall grades agreed",
            derived_heading="Share changed",
            derive=derived_share([0, 2], None, "None agreed"),
            **sizes,
        )
        blocks.append(
            Block(
                key="moderation-changes",
                heading="Grades changed by moderation",
                table=table,
                chart=stacked_chart(table),
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
