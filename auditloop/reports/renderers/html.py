"""The cycle review as HTML: a whole standalone page with its own stylesheet (for print too,
and the page the PDF is made from), or just its sections, as the body of a page in the site's
layout. Text goes in through Django's autoescaping; the charts are the server's own SVG."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string

from auditloop.learning.selectors.team_picture import suppressed_note
from auditloop.reports.renderers import ReviewDocument

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "reports" / "cycle_review.css"
DOCUMENT = "reports/cycle_review/document.html"
SECTIONS = "reports/cycle_review/_sections.html"


# An id, or a reference to one (href="#x", xlink:href="#x", url(#x)); never a colour ("#1d70b8").
_SVG_ID = re.compile(r'(\bid="|\bhref="#|url\(#)([A-Za-z_][\w.-]*)')


def svg_with_own_ids(svg: str, prefix: str) -> str:
    """The chart's SVG with every id (and every reference to one) prefixed, so that several
    charts in one page never share an id: matplotlib numbers each drawing's ids alike."""
    return _SVG_ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


# In the PDF, words hidden for screen readers on a page would be laid out in the text layer
# over the next column (WeasyPrint draws clipped text), garbling copy and paste: the PDF says
# what "[c]" means once, in its note on suppression, instead.
PDF_STYLES = "\n.govuk-visually-hidden { display: none !important; }\n"


@cache
def stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


def review_html(review: ReviewDocument, *, charts_as_images: bool = False) -> str:
    """The review as one standalone HTML document: its stylesheet inside it, charts inline,
    nothing fetched from anywhere. `charts_as_images`: each chart as an image of its SVG
    (with its title as its text) rather than inline, for the PDF."""
    return render_to_string(
        DOCUMENT,
        {
            "review": review,
            "stylesheet": stylesheet() + (PDF_STYLES if charts_as_images else ""),
            "suppressed_note": suppressed_note(),
            "charts_as_images": charts_as_images,
        },
    )


def review_body_html(review: ReviewDocument) -> str:
    """The review's sections alone, to put inside a page of the site."""
    return render_to_string(SECTIONS, {"review": review, "suppressed_note": suppressed_note()})
