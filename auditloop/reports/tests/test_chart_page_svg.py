"""A chart on a page: made fit for the page once, whoever reads it again."""

from __future__ import annotations

import pytest

from auditloop.reports.blocks import Block, Chart, ChartKind, Series
from auditloop.reports.templatetags import report_blocks


def _block(key: str, value: float) -> Block:
    chart = Chart(
        kind=ChartKind.BARS, title="Done", categories=["Team A"], series=[Series("Done", [value])]
    )
    return Block(key=key, heading="Done", chart=chart)


def test_a_chart_read_again_is_not_made_fit_for_the_page_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report_blocks._page_chart.cache_clear()
    made: list[str] = []
    real = report_blocks.page_svg

    def counting(svg: str) -> str:
        made.append(svg)
        return real(svg)

    monkeypatch.setattr(report_blocks, "page_svg", counting)
    first = report_blocks.chart_of(_block("done", 61.5))
    again = report_blocks.chart_of(_block("done", 61.5))
    assert first == again
    assert len(made) == 1


def test_the_same_chart_in_two_blocks_keeps_each_block_s_own_ids_and_other_figures_are_new() -> (
    None
):
    report_blocks._page_chart.cache_clear()
    one = report_blocks.chart_of(_block("one", 61.5))
    two = report_blocks.chart_of(_block("two", 61.5))
    other = report_blocks.chart_of(_block("one", 62.5))
    assert 'id="chart-one-' in one and 'id="chart-one-' not in two
    assert 'id="chart-two-' in two
    assert other != one
    # Still fit for a page under the Content-Security-Policy: no inline style survives.
    assert "style=" not in one and "<style" not in one
