"""A table of counts' cells, as the team picture and the dashboards show them."""

from __future__ import annotations

from django.template import Context, Template
from django.template.loader import get_template

from auditloop.learning.selectors.team_picture import Figure, FigureRow, FigureTable

TABLE = Template('{% include "learning/team_picture/_table.html" %}')


def rendered(table: FigureTable) -> str:
    return TABLE.render(Context({"table": table, "suppressed_note": "Some figures are not shown."}))


def test_a_shown_figure_is_a_numeric_cell_and_a_hidden_one_says_why_to_a_screen_reader() -> None:
    table = FigureTable(
        caption="Grades by team",
        row_heading="Team",
        columns=["Good", "Inadequate"],
        rows=[FigureRow(label="North A", cells=[Figure("7"), Figure("[c]", suppressed=True)])],
    )
    page = rendered(table)
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">7</td>' in page
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-suppressed="true">[c]'
        '<span class="govuk-visually-hidden"> (not shown so that no one can be identified)</span>'
        "</td>"
    ) in page
    assert "Some figures are not shown." in page


def test_a_figures_text_is_escaped() -> None:
    table = FigureTable(
        caption="Themes",
        row_heading="Theme",
        columns=["Count"],
        rows=[FigureRow(label="A", cells=[Figure("<b>9</b>", numeric=False)])],
    )
    assert "&lt;b&gt;9&lt;/b&gt;" in rendered(table)
    assert "<b>9</b>" not in rendered(table)


def test_a_table_includes_no_template_for_each_cell() -> None:
    """An include a cell was a large part of a dashboard's rendering (profiled)."""
    table = FigureTable(
        caption="Grades by team",
        row_heading="Team",
        columns=["Good"],
        rows=[FigureRow(label=f"Team {i}", cells=[Figure(str(i))]) for i in range(20)],
    )
    source = get_template("learning/team_picture/_table.html").template.source  # type: ignore[attr-defined]
    assert "{% include" not in source
    assert rendered(table).count('<td class="govuk-table__cell govuk-table__cell--numeric">') == 40
