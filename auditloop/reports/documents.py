"""The cycle review as a document: the one entry point the issuing (background build, CLI)
calls. The sections come from `auditloop.reports.selectors.cycle_review`; the renderers in
`auditloop.reports.renderers` lay them out as HTML, PDF and Word."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from auditloop.learning.selectors.team_picture import small_group_min
from auditloop.reports.access.scopes import review_scope
from auditloop.reports.blocks import Section
from auditloop.reports.charts import chart_png, chart_svg
from auditloop.reports.models import Audience, ReviewFormat
from auditloop.reports.renderers import DrawnBlock, DrawnSection, ReviewDocument
from auditloop.reports.renderers.docx import review_docx
from auditloop.reports.renderers.html import review_html, svg_with_own_ids
from auditloop.reports.renderers.pdf import review_pdf
from auditloop.reports.selectors.cycle_review import cycle_review_sections
from auditloop.reports.templatetags.report_blocks import page_svg
from auditloop.sampling.models import Cycle

# Called as the build goes: (percent done, words for the step).
type Progress = Callable[[int, str], None]

FORMATS = tuple(ReviewFormat.values)
AUDIENCES = tuple(Audience.values)


def review_title(cycle: Cycle) -> str:
    return f"Six-month cycle review: {cycle.name}"


def review_notes(audience: str) -> list[str]:
    """What the reader is told about the version they hold."""
    threshold = small_group_min()
    suppression = (
        f"Figures of fewer than {threshold} audits (or of fewer than three people's cases), "
        "and any figure that would let one be worked out, are shown as [c]."
    )
    if audience == Audience.COMMITTEE:
        return [
            "The committee's version: anonymised. It names no child, no team and no member of "
            "staff; figures are by service, and small counts are not shown either. " + suppression,
            "Each grade counted is the one that counts: the grade agreed at moderation where "
            "there is one. Calibration audits never count.",
        ]
    return [
        "The leaders' version: it names teams, for the council's leaders only; do not "
        "circulate it. It names no child and no member of staff. " + suppression,
        "Each grade counted is the one that counts: the grade agreed at moderation where "
        "there is one. Calibration audits never count.",
    ]


def review_document(
    *,
    cycle: Cycle,
    audience: str,
    sections: list[Section],
    draw: Callable[[DrawnBlock, int], DrawnBlock] | None = None,
    on_progress: Progress | None = None,
    start: int = 0,
    end: int = 100,
) -> ReviewDocument:
    """The sections with their charts drawn by `draw` (SVG unless told), reporting progress
    from `start` to `end` as the charts are drawn."""
    draw = draw or _svg
    on_progress = on_progress or _ignore
    charts = sum(1 for s in sections for b in s.blocks if b.chart is not None)
    drawn_sections = []
    done = 0
    for section in sections:
        blocks = []
        for block in section.blocks:
            item = DrawnBlock(block=block)
            if block.chart is not None:
                done += 1
                item = draw(item, done)
                on_progress(
                    start + (end - start) * done // max(charts, 1),
                    f"Drawn {done} of {charts} charts",
                )
            blocks.append(item)
        drawn_sections.append(DrawnSection(section=section, blocks=blocks))
    return ReviewDocument(
        title=review_title(cycle),
        council=str(settings.COUNCIL_NAME),
        cycle_name=cycle.name,
        period=f"{_day(cycle.starts_on)} to {_day(cycle.ends_on)}",
        audience=audience,
        audience_label=str(Audience(audience).label),
        built_on=timezone.localdate(),
        notes=review_notes(audience),
        sections=drawn_sections,
    )


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _svg(item: DrawnBlock, number: int) -> DrawnBlock:
    chart = item.block.chart
    if chart is None:
        return item
    # Styled by attributes, as on the site's pages (no style element leaking into the page),
    # and each chart's ids its own.
    svg = svg_with_own_ids(page_svg(chart_svg(chart)), f"chart{number}")
    return DrawnBlock(block=item.block, svg=svg)


def _png(item: DrawnBlock, number: int) -> DrawnBlock:
    chart = item.block.chart
    return item if chart is None else DrawnBlock(block=item.block, png=chart_png(chart))


def _ignore(percent: int, words: str) -> None:
    return None


def cycle_review_bytes(
    *,
    cycle: Cycle,
    audience: str,
    fmt: str,
    on_progress: Progress | None = None,
) -> bytes:
    """The cycle review of `cycle` for `audience` ("committee" or "leaders") as `fmt`
    ("html": a whole standalone page; "pdf"; "docx"), counted the same whoever asks for it
    (`review_scope`: every audit under a blind moderation left out). `on_progress(percent,
    words)` is told as the sections are built, the charts drawn and the document written."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    if audience not in AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}: choose one of {', '.join(AUDIENCES)}.")
    progress = on_progress or _ignore
    progress(0, "Counting the figures")
    sections = cycle_review_sections(review_scope(cycle, audience))
    progress(40, "Figures counted")
    review = review_document(
        cycle=cycle,
        audience=audience,
        sections=sections,
        draw=_png if fmt == ReviewFormat.DOCX else _svg,
        on_progress=progress,
        start=40,
        end=70,
    )
    progress(70, "Charts drawn; writing the document")
    if fmt == ReviewFormat.HTML:
        content = review_html(review).encode("utf-8")
    elif fmt == ReviewFormat.PDF:
        content = review_pdf(review)
    else:
        content = review_docx(review)
    progress(100, "Document written")
    return content
