"""The one-page briefing of a key message, in the "7-minute briefing" style: what we found, why
it matters, what good looks like, what to do next, a few anonymised examples and the headline
figures, as an HTML page, a PDF (WeasyPrint) and a Word document (python-docx).

Pure code: it reads no database. It is given a `Briefing` whose text is already redacted (the
selector builds it from the published text, or from the draft passed through the redactor) and
whose figures the compile step froze already suppressed by the shared rules
(`learning.rules.suppression`, see `rules.key_messages.counts_figures`): `headline_figures`
shows "[c]" for every figure frozen as suppressed, or missing, and lays them out. Text goes
into the HTML through Django's autoescaping and into Word through python-docx's text runs, so
markup in a key message is shown as written, never run.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import docx
from django.template.loader import render_to_string
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor
from weasyprint import CSS, HTML
from weasyprint.document import Document as PdfDocument

from auditloop.learning.models import BRIEFING_PARTS
from auditloop.learning.rules.key_messages import figures_to_show
from auditloop.learning.rules.suppression import (
    MIN_PEOPLE,
    SUPPRESSED_MARK,
    SUPPRESSED_NOTE,
    group_suppressed,
)

# The four parts, numbered as the briefing numbers its boxes.
PART_HEADINGS: dict[str, str] = {
    "what_we_found": "What we found",
    "why_it_matters": "Why it matters",
    "what_good_looks_like": "What good looks like",
    "what_to_do_next": "What to do next",
}
DRAFT_MARK = "Draft — not for circulation"
WITHDRAWN_MARK = "Withdrawn"
SUPPRESSED = SUPPRESSED_MARK
KIND_WORDS = {"good_practice": "Good practice to share", "concern": "Area for development"}

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "learning" / "briefing.css"
TEMPLATE = "learning/briefings/briefing.html"
PDF_VARIANT = "pdf/ua-1"
WORD_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_BULLET = re.compile(r"^\s*(?:[-*•])\s+")
# Characters XML 1.0 refuses (control characters pasted in from elsewhere): Word's format is
# XML and python-docx refuses them, so every text is cleaned of them once, as it comes in.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: object) -> str:
    """The text, with the characters no export can carry taken out."""
    return _NOT_XML.sub("", str(text))


@dataclass(frozen=True)
class Block:
    """A paragraph, or a bulleted list (lines each starting "- ", "* " or "• ")."""

    items: tuple[str, ...]
    is_list: bool = False


@dataclass(frozen=True)
class Part:
    number: int
    key: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Example:
    kind: str
    domain: str
    text: str

    @property
    def caption(self) -> str:
        return " \u2013 ".join(word for word in (self.kind, self.domain) if word)


@dataclass(frozen=True)
class FigureRow:
    """One line of a figures table, its cells as shown: a suppressed row shows no number."""

    label: str
    cells: tuple[str, ...]
    suppressed: bool


@dataclass(frozen=True)
class Figures:
    audits: str  # the audits counted, or SUPPRESSED, or "" when the figures do not say
    domains: tuple[FigureRow, ...]
    themes: tuple[FigureRow, ...]
    trend: str
    any_suppressed: bool
    minimum: int

    @property
    def is_empty(self) -> bool:
        return not (self.audits or self.domains or self.themes or self.trend)


NO_FIGURES = Figures(audits="", domains=(), themes=(), trend="", any_suppressed=False, minimum=0)
DOMAIN_COLUMNS = ("Domain", "Audits", "Good or better", "Requires improvement or worse")
THEME_COLUMNS = ("Theme", "Good practice", "Areas for development")


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing shows, already redacted and suppressed."""

    council: str
    title: str
    scope: str  # "Northshire County Council, North A team, cycle April to September 2026"
    published_on: datetime.date | None
    what_we_found: str
    why_it_matters: str
    what_good_looks_like: str
    what_to_do_next: str
    examples: tuple[Example, ...] = ()
    figures: Figures = NO_FIGURES
    draft: bool = False
    withdrawn: bool = False
    withdrawn_on: datetime.date | None = None
    withdrawn_reason: str = ""
    filename_stem: str = "briefing"

    def __post_init__(self) -> None:
        for name in ("council", "title", "scope", "withdrawn_reason", *BRIEFING_PARTS):
            object.__setattr__(self, name, clean_text(getattr(self, name)))

    @property
    def parts(self) -> tuple[Part, ...]:
        return tuple(
            Part(number, key, PART_HEADINGS[key], text_blocks(getattr(self, key)))
            for number, key in enumerate(BRIEFING_PARTS, start=1)
        )

    @property
    def status_marks(self) -> tuple[str, ...]:
        """The marks every export carries at its top: withdrawn, draft, or neither."""
        marks = []
        if self.withdrawn:
            marks.append(WITHDRAWN_MARK)
        if self.draft:
            marks.append(DRAFT_MARK)
        return tuple(marks)


def text_blocks(text: str) -> tuple[Block, ...]:
    """Paragraphs split at blank lines; a paragraph whose every line is a bullet is a list."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if all(_BULLET.match(line) for line in lines):
            blocks.append(Block(tuple(_BULLET.sub("", line) for line in lines), is_list=True))
        else:
            blocks.append(Block((" ".join(lines),)))
    return tuple(blocks)


# Figures: read defensively; a figure frozen as suppressed, or missing, is never shown.


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _rows(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def _cell(row: Mapping[str, Any], name: str) -> str:
    """One figure of a row as shown: the number, or the mark where the compile step suppressed
    it (the whole row, or the figure named in the row's `suppressed` list) or it is missing (a
    figure nobody can vouch for is not shown)."""
    flagged = row.get("suppressed")
    if flagged is True or (isinstance(flagged, list) and name in flagged):
        return SUPPRESSED
    value = _count(row.get(name))
    return SUPPRESSED if value is None else str(value)


def _share(figures: Mapping[str, Any], share: str, whole: str) -> str:
    value, n = _count(figures.get(share)), _count(figures.get(whole))
    if value is None or not n:
        return ""
    return f"{value}% of {n}"


def _trend_sentence(figures: Mapping[str, Any]) -> tuple[str, bool]:
    """One sentence comparing the share Good or better with the previous cycle's; "[c]" (and
    said so) where either side is not shown, so that no change lets a hidden figure out."""
    trend = figures.get("trend")
    if not isinstance(trend, Mapping) or not trend.get("previous_cycle"):
        return "", False
    previous = figures.get("previous")
    before = (
        _share(previous, "good_or_better_share", "graded_audits")
        if isinstance(previous, Mapping)
        else ""
    )
    now = _share(figures, "good_or_better_share", "graded_audits")
    moved = trend.get("good_or_better_change")
    if not trend.get("comparable") or not isinstance(moved, int) or not now or not before:
        return f"Trend against the previous cycle: {SUPPRESSED}.", True
    cycle = clean_text(trend.get("previous_cycle"))
    return f"Good or better: {now} graded audits, against {before} in {cycle}.", False


def headline_figures(figures: object, *, minimum: int) -> Figures:
    """The figures a briefing shows, from the figures the compile step froze on the key
    message (their shape: `rules.key_messages.counts_figures`). It reads `audits`, `suppressed`
    (True: withheld whole), `domains` (`audits`, `good_or_better`,
    `requires_improvement_or_worse`), `themes` (`good_practice_points`, `concern_points`, the
    five with most points), `trend` and `previous`, and ignores anything else. A figure the
    compile step suppressed (None, or named in its row's `suppressed` list), or missing, is
    shown as "[c]"; figures frozen before small counts were suppressed (`figures_to_show`),
    figures withheld whole, or of a group the shared rule
    (`group_suppressed`, threshold `minimum`) would withhold, show only "[c]" for the audits."""
    checked = figures_to_show(figures)
    if not checked:
        return replace(NO_FIGURES, minimum=minimum)
    total = _count(checked.get("audits"))
    if checked.get("suppressed") is True or (
        total is not None and group_suppressed(total, threshold=minimum)
    ):
        return replace(NO_FIGURES, audits=SUPPRESSED, any_suppressed=True, minimum=minimum)
    audits = str(total) if total is not None else ""
    domains = []
    for row in _rows(checked.get("domains")):
        label = clean_text(row.get("domain") or "Domain not named")
        cells = tuple(
            _cell(row, name)
            for name in ("audits", "good_or_better", "requires_improvement_or_worse")
        )
        domains.append(FigureRow(label, cells, suppressed=SUPPRESSED in cells))
    themes = []
    theme_rows = sorted(
        _rows(checked.get("themes")),
        key=lambda r: -(_n(r.get("good_practice_points")) + _n(r.get("concern_points"))),
    )
    for row in theme_rows[:5]:
        label = clean_text(row.get("theme") or "Theme not named")
        cells = tuple(_cell(row, name) for name in ("good_practice_points", "concern_points"))
        themes.append(FigureRow(label, cells, suppressed=SUPPRESSED in cells))
    trend, trend_suppressed = _trend_sentence(checked)
    rows_suppressed = any(row.suppressed for row in (*domains, *themes))
    return Figures(
        audits=audits,
        domains=tuple(domains),
        themes=tuple(themes),
        trend=trend,
        any_suppressed=rows_suppressed or trend_suppressed,
        minimum=minimum,
    )


def _n(value: object) -> int:
    """A count, or 0 for anything that is not one (to order rows by)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def example_from(value: object, *, fallback: object = None) -> Example | None:
    """An example from `{"kind", "domain", "text"}` (or a bare string, its kind and domain taken
    from `fallback`); None for anything without text."""
    if isinstance(value, str):
        value = {**(fallback if isinstance(fallback, Mapping) else {}), "text": value}
    if not isinstance(value, Mapping):
        return None
    text = clean_text(value.get("text") or "").strip()
    if not text:
        return None
    kind = str(value.get("kind") or "")
    return Example(KIND_WORDS.get(kind, ""), clean_text(value.get("domain") or ""), text)


# The three exports.


def _context(briefing: Briefing, **extra: Any) -> dict[str, Any]:
    return {
        "b": briefing,
        "domain_columns": DOMAIN_COLUMNS,
        "theme_columns": THEME_COLUMNS,
        "suppression_note": suppression_note(briefing.figures.minimum),
        "anonymity_note": ANONYMITY_NOTE,
        **extra,
    }


def briefing_html(
    briefing: Briefing,
    *,
    stylesheet_hrefs: Sequence[str] = (),
    pdf_href: str = "",
    docx_href: str = "",
    compact: bool = False,
) -> str:
    """The briefing as a standalone HTML page. The page in the browser links its stylesheets;
    the PDF is made from the same page without them, its stylesheet given to WeasyPrint."""
    return render_to_string(
        TEMPLATE,
        _context(
            briefing,
            stylesheet_hrefs=stylesheet_hrefs,
            pdf_href=pdf_href,
            docx_href=docx_href,
            compact=compact,
        ),
    )


def briefing_pdf_document(briefing: Briefing) -> PdfDocument:
    """The briefing laid out on A4 by WeasyPrint. A long briefing is laid out again, smaller,
    so that it keeps to one page where it can."""
    stylesheet = CSS(filename=str(STYLESHEET))
    document = HTML(string=briefing_html(briefing)).render(stylesheets=[stylesheet])
    if len(document.pages) > 1:
        document = HTML(string=briefing_html(briefing, compact=True)).render(
            stylesheets=[stylesheet]
        )
    return document


def briefing_pdf(briefing: Briefing, **options: Any) -> bytes:
    """The PDF, tagged (PDF/UA-1) so that a screen reader reads its headings, lists and tables
    in order, in the page's language, as a council's published documents must be. `options`
    go to WeasyPrint's `write_pdf` (`uncompressed_pdf=True` to read it in a test)."""
    document = briefing_pdf_document(briefing)
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT, **options))


def _word_marks(document: WordDocument, briefing: Briefing) -> None:
    for mark in briefing.status_marks:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(mark)
        run.bold = True
        run.font.size = Pt(14)
        run.font.color.rgb = RGBColor(0x94, 0x25, 0x14)
    if briefing.withdrawn:
        words = "This briefing has been withdrawn: do not circulate it or act on it."
        if briefing.withdrawn_on:
            words = f"Withdrawn on {_day(briefing.withdrawn_on)}. {words}"
        document.add_paragraph(words)
        if briefing.withdrawn_reason:
            document.add_paragraph(f"Why: {briefing.withdrawn_reason}")


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _word_table(document: WordDocument, columns: Sequence[str], rows: Sequence[FigureRow]) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    for cell, words in zip(table.rows[0].cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(words).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, words in zip(cells, (row.label, *row.cells), strict=True):
            cell.text = words


def briefing_docx(briefing: Briefing) -> bytes:
    """The briefing as a Word document: the title, the four parts under numbered headings, the
    examples as quotes, the figures as small tables. Its properties name the council as author,
    never a person."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    if briefing.status_marks:
        header = section.header.paragraphs[0]
        header.text = " · ".join(briefing.status_marks)
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    properties = document.core_properties
    properties.title = briefing.title
    properties.subject = f"7-minute briefing: {briefing.scope}"
    properties.author = briefing.council
    properties.last_modified_by = briefing.council
    properties.comments = ""
    properties.keywords = "key messages; 7-minute briefing; learning from audit"
    properties.category = " · ".join(briefing.status_marks) or "Published"
    properties.language = "en-GB"
    properties.revision = 1
    properties.created = properties.modified = datetime.datetime.now(tz=datetime.UTC)

    _word_marks(document, briefing)
    document.add_paragraph(f"7-minute briefing · {briefing.council}")
    document.add_heading(briefing.title, level=0)
    document.add_paragraph(briefing.scope)
    document.add_paragraph(
        f"Published {_day(briefing.published_on)}" if briefing.published_on else "Not published"
    )
    for part in briefing.parts:
        document.add_heading(f"{part.number} {part.heading}", level=1)
        for block in part.blocks:
            if block.is_list:
                for item in block.items:
                    document.add_paragraph(item, style="List Bullet")
            else:
                document.add_paragraph(block.items[0])
    if briefing.examples:
        document.add_heading("Examples from the audits", level=1)
        for example in briefing.examples:
            document.add_paragraph(example.text, style="Quote")
            if example.caption:
                caption = document.add_paragraph()
                caption.add_run(example.caption).italic = True
    figures = briefing.figures
    if not figures.is_empty:
        document.add_heading("The figures", level=1)
        if figures.audits:
            document.add_paragraph(f"Audits counted: {figures.audits}")
        if figures.domains:
            document.add_heading("Grades by domain", level=2)
            _word_table(document, DOMAIN_COLUMNS, figures.domains)
        if figures.themes:
            document.add_heading("Themes most often found", level=2)
            _word_table(document, THEME_COLUMNS, figures.themes)
        if figures.trend:
            document.add_paragraph(figures.trend)
        if figures.any_suppressed:
            document.add_paragraph(suppression_note(figures.minimum))
    document.add_paragraph(ANONYMITY_NOTE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


ANONYMITY_NOTE = (
    "Anonymised learning from audit: names and identifiers are replaced with placeholders such "
    "as [social worker] or [child]."
)


def suppression_note(minimum: int) -> str:
    """The shared footnote for a figure shown as "[c]", with the threshold `minimum`."""
    return SUPPRESSED_NOTE.format(threshold=minimum, largest_small=minimum - 1, people=MIN_PEOPLE)
