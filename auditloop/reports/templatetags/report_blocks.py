"""Rendering a report's blocks: a chart as inline SVG, and a block's download links."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from auditloop.reports.blocks import Chart
from auditloop.reports.charts import chart_svg

register = template.Library()


# The root element's fixed size (in points): without it the chart takes its column's width
# and keeps its proportions (its viewBox), so it never overflows a narrow screen.
_FIXED_SIZE = re.compile(r'^(<svg\b[^>]*?)\s+width="[^"]*"\s+height="[^"]*"')


@register.filter
def svg(chart: Chart) -> SafeString:
    """The chart as inline SVG, as wide as its column. matplotlib writes every text (a team's
    name) escaped as XML, so the markup is safe to put in the page as it is (a test holds it
    to that)."""
    return SafeString(_FIXED_SIZE.sub(r"\1", chart_svg(chart), count=1))


@register.simple_tag(takes_context=True)
def block_download_url(context: dict[str, Any], key: str, fmt: str) -> str:
    """The download of block `key` as `fmt`, by the page's `downloads` route names (one per
    format, taking the block's key after `download_args`) and `download_query`."""
    names: dict[str, str] = context["downloads"]
    url = reverse(names[fmt], args=[*context.get("download_args", ()), key])
    query: dict[str, str] = context.get("download_query") or {}
    return url + ("?" + urlencode(query) if query else "")
