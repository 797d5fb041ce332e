from __future__ import annotations

from auditloop.reports.charts import COLOURS, series_colours

RED, AMBER, GREEN, BLUE = "#d4351c", "#f47738", "#00703c", "#1d70b8"


def test_grades_take_the_colours_people_know_them_by_in_any_chart() -> None:
    outstanding, good, ri, inadequate = series_colours(
        ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    )
    assert (ri, inadequate) == (AMBER, RED)
    assert len({outstanding, good, ri, inadequate}) == 4


def test_what_went_wrong_is_red_what_went_right_green_and_what_is_to_come_blue() -> None:
    assert series_colours(["Done", "Overdue", "Open, not yet due"]) == [GREEN, RED, BLUE]
    assert series_colours(["Improved", "Worse", "Due"]) == [GREEN, RED, BLUE]
    assert series_colours(["Done", "Not done yet"]) == [GREEN, BLUE]


def test_a_target_line_takes_the_colour_of_what_it_is_a_target_for() -> None:
    colours = series_colours(
        [
            "Share Inadequate",
            "Share good or better",
            "Target: no more than 10% Inadequate",
            "Target: at least 40% good or better",
        ]
    )
    assert colours[0] == colours[2] == RED
    assert colours[1] == colours[3]


def test_series_with_no_meaning_take_palette_colours_no_other_series_has() -> None:
    colours = series_colours(["Inadequate", "Quality judgements", "Compliance checks"])
    assert colours[1:] == [c for c in COLOURS if c != RED][:2]


def test_the_same_figures_are_drawn_once_and_other_figures_drawn_afresh() -> None:
    from auditloop.reports import charts
    from auditloop.reports.blocks import Chart, ChartKind, Series

    def chart(value: float) -> Chart:
        return Chart(
            kind=ChartKind.BARS, title="t", categories=["A"], series=[Series("Done", [value])]
        )

    drawn: list[Chart] = []
    real = charts._draw_bytes

    def counting(c: Chart, fmt: str) -> bytes:
        drawn.append(c)
        return real(c, fmt)

    charts._draw_bytes = counting  # type: ignore[assignment]
    try:
        first = charts.chart_svg(chart(41.5))
        again = charts.chart_svg(chart(41.5))
        other = charts.chart_svg(chart(42.5))
    finally:
        charts._draw_bytes = real
    assert first == again and other != first
    assert [c.series[0].values for c in drawn] == [[41.5], [42.5]]
