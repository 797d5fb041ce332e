"""The themes of the learning points: good practice against areas for development."""

from __future__ import annotations

from auditloop.learning.selectors.team_picture import themes_table
from auditloop.reports.blocks import Block, Chart, ChartKind, Series
from auditloop.reports.selectors.figures.parts import counted_audits, shown_number, withheld_words
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope

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
    counted = counted_audits(scope)
    if not counted.n:
        words = "No audit in this cycle has been submitted yet, so there are no learning points."
        return [Block(key="themes", heading=heading, words=[words])]
    withheld = withheld_words(scope, counted.n, counted.people)
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
            Series(
                name=column, values=[_to_float(shown_number(row.cells[j])) for row in table.rows]
            )
            for j, column in enumerate(table.columns)
        ],
        unit="",
    )
    notes = ["A learning point with two themes counts under both."]
    return [Block(key="themes", heading=heading, table=table, chart=chart, words=notes)]


def _to_float(value: int | None) -> float | None:
    return None if value is None else float(value)
