"""Rendering a report's blocks: a chart as inline SVG, and a block's download links."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString

from auditloop.reports.blocks import Block, FigureTable
from auditloop.reports.charts import chart_svg
from auditloop.reports.renderers.html import svg_with_own_ids

register = template.Library()


# The root element's fixed size (in points): without it the chart takes its column's width
# and keeps its proportions (its viewBox), so it never overflows a narrow screen.
_FIXED_SIZE = re.compile(r'^(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style>", re.S)
# The SVG presentation attributes matplotlib's styles use; anything else is left out.
PRESENTATION = frozenset(
    {
        "clip-path",
        "fill",
        "fill-opacity",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
    }
)


def _as_attributes(match: re.Match[str]) -> str:
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name in PRESENTATION and value:
            attributes.append(f' {name}="{escape(value)}"')
    return "".join(attributes)


def page_svg(svg_text: str) -> str:
    """matplotlib's SVG made fit for a page: as wide as its column, and styled by presentation
    attributes instead of `style` (the site's Content-Security-Policy refuses inline styles,
    which would leave every shape black)."""
    svg_text = _FIXED_SIZE.sub(r"\1", svg_text, count=1)
    svg_text = _STYLE_ELEMENT.sub("", svg_text)
    return _STYLE_ATTRIBUTE.sub(_as_attributes, svg_text)


@register.filter
def chart_of(block: Block) -> SafeString:
    """The block's chart as inline SVG for a page, its ids its own (named by the block's key,
    unique on a page). matplotlib writes every text (a team's name) escaped as XML, so the
    markup is safe to put in the page as it is (a test holds it to that)."""
    if block.chart is None:
        return SafeString("")
    return SafeString(_page_chart(chart_svg(block.chart), f"chart-{block.key}"))


# Making a chart's SVG fit for a page (its ids its own, its styles as attributes) is a tenth
# of a dashboard's time, and the same chart comes back on every reading of the page: the
# result is a function of the drawing and the prefix alone, so it is kept (as the drawing is,
# `auditloop.reports.charts`), for the last charts read (a dashboard has about fifteen).
PAGE_CHARTS = 128


@lru_cache(maxsize=PAGE_CHARTS)
def _page_chart(svg: str, prefix: str) -> str:
    return page_svg(svg_with_own_ids(svg, prefix))


@register.simple_tag(takes_context=True)
def block_download_url(context: dict[str, Any], key: str, fmt: str) -> str:
    """The download of block `key` as `fmt`, by the page's `downloads` route names (one per
    format, taking the block's key after `download_args`) and `download_query`."""
    names: dict[str, str] = context["downloads"]
    url = reverse(names[fmt], args=[*context.get("download_args", ()), key])
    query: dict[str, str] = context.get("download_query") or {}
    return url + ("?" + urlencode(query) if query else "")


# The row headings of tables with a row for each team or service (others are months, checks,
# domains, cycles: as many whatever the reader oversees).
BY_GROUP = frozenset({"Team", "Service"})


@register.filter
def summed_up(block: Block, rows_shown: int | None) -> bool:
    """Whether the dashboard shows `block` by its totals only: a table with a row for each of
    more than `rows_shown` teams or services (None: every table whole)."""
    table = block.table
    return bool(
        rows_shown and table and table.row_heading in BY_GROUP and len(table.rows) > rows_shown
    )


@register.filter
def totals_only(table: FigureTable) -> FigureTable:
    """The table with its totals row alone: a summary of a long table on the dashboard (the
    whole table is on its own page). The totals are those of the whole table, suppressed as
    they are there."""
    return replace(table, caption=f"{table.caption}: totals", rows=[])


@register.simple_tag(takes_context=True)
def block_table_url(context: dict[str, Any], key: str) -> str:
    """The page of block `key`'s whole table, for the page's `download_query` (its cycle)."""
    url = reverse("reports:dashboard_table", args=[key])
    query: dict[str, str] = context.get("download_query") or {}
    return url + ("?" + urlencode(query) if query else "")
