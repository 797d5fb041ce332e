"""The one-page briefing of a key message, in the "7-minute briefing" style: what we found, why
it matters, what good looks like, what to do next, a few anonymised examples and the headline
figures, as an HTML page, a PDF (WeasyPrint) and a Word document (python-docx).

Pure code: it reads no database. It is given a `Briefing` whose text is already redacted (the
selector builds it from the published text, or from the draft passed through the redactor) and
whose figures are already suppressed where a group is small (`headline_figures`); it lays them
out and nothing else. Text goes into the HTML through Django's autoescaping and into Word
through python-docx's text runs, so markup in a key message is shown as written, never run.
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

# The four parts, numbered as the briefing numbers its boxes.
PART_HEADINGS: dict[str, str] = {
    "what_we_found": "What we found",
    "why_it_matters": "Why it matters",
    "what_good_looks_like": "What good looks like",
    "what_to_do_next": "What to do next",
}
DRAFT_MARK = "Draft — not for circulation"
WITHDRAWN_MARK = "Withdrawn"
SUPPRESSED = "[suppressed]"
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


# Figures: read defensively, suppressed where a group is small.


def group_is_suppressed(audits: object, *, flagged: object = False, minimum: int) -> bool:
    """Whether a group's figures must not be shown: flagged by whoever compiled them (small, or
    suppressed so that a total cannot give a small one away), or fewer than `minimum` audits,
    or a size nobody can tell (a figure without its N is not shown). The one primary rule the
    briefing applies; `learning.rules.suppression` may take its place."""
    if flagged:
        return True
    if not isinstance(audits, int) or isinstance(audits, bool):
        return True
    return audits < minimum


def _count(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return "\u2013"


def _rows(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def _share(part: object, whole: object) -> str:
    if not isinstance(part, int) or not isinstance(whole, int) or whole <= 0:
        return ""
    return f"{round(100 * part / whole)}%"


def _trend_sentence(trend: Mapping[str, Any], *, minimum: int) -> tuple[str, bool]:
    """One sentence comparing the share good or better with the previous cycle's; suppressed
    (and said so) when either cycle's group is small."""
    if not trend:
        return "", False
    audits, previous = trend.get("audits"), trend.get("previous_audits")
    flagged = trend.get("suppressed")
    if group_is_suppressed(audits, flagged=flagged, minimum=minimum) or group_is_suppressed(
        previous, minimum=minimum
    ):
        return f"Trend against the previous cycle: {SUPPRESSED}.", True
    now = _share(trend.get("good_or_better"), audits)
    before = _share(trend.get("previous_good_or_better"), previous)
    if not now or not before:
        return "", False
    cycle = clean_text(trend.get("previous_cycle") or "the previous cycle")
    return (
        f"Good or better: {now} of {audits} audits this cycle, against {before} of {previous} "
        f"in {cycle}.",
        False,
    )


def headline_figures(figures: object, *, minimum: int) -> Figures:
    """The figures a briefing shows, from the figures the compile step froze on the key
    message. It reads these keys, each optional, and ignores anything else:

    - `figures["audits"]`: the number of audits counted;
    - `figures["domains"]`: `[{"domain": str, "audits": n, "good_or_better": n,
      "requires_improvement_or_worse": n, "suppressed": bool}]`;
    - `figures["themes"]`: `[{"theme": str, "good_practice": n, "concerns": n,
      "audits": n (optional: else the whole scope's), "suppressed": bool}]`, the five
      largest shown;
    - `figures["trend"]`: `{"previous_cycle": str, "audits": n, "good_or_better": n,
      "previous_audits": n, "previous_good_or_better": n, "suppressed": bool}`.

    A group flagged `suppressed`, with fewer than `minimum` audits, or without a size, shows
    `[suppressed]` in every cell but its label."""
    if not isinstance(figures, Mapping):
        return replace(NO_FIGURES, minimum=minimum)
    any_suppressed = False
    total = figures.get("audits")
    audits = ""
    if total is not None:
        if group_is_suppressed(total, minimum=minimum):
            audits, any_suppressed = SUPPRESSED, True
        else:
            audits = str(total)
    domains = []
    for row in _rows(figures.get("domains")):
        label = clean_text(row.get("domain") or "Domain not named")
        if group_is_suppressed(row.get("audits"), flagged=row.get("suppressed"), minimum=minimum):
            domains.append(FigureRow(label, (SUPPRESSED,) * 3, suppressed=True))
            any_suppressed = True
            continue
        cells = (
            _count(row.get("audits")),
            _count(row.get("good_or_better")),
            _count(row.get("requires_improvement_or_worse")),
        )
        domains.append(FigureRow(label, cells, suppressed=False))
    themes = []
    theme_rows = sorted(
        _rows(figures.get("themes")),
        key=lambda r: -(_n(r.get("good_practice")) + _n(r.get("concerns"))),
    )
    for row in theme_rows[:5]:
        label = clean_text(row.get("theme") or "Theme not named")
        size = row.get("audits", total)
        if group_is_suppressed(size, flagged=row.get("suppressed"), minimum=minimum):
            themes.append(FigureRow(label, (SUPPRESSED,) * 2, suppressed=True))
            any_suppressed = True
            continue
        themes.append(
            FigureRow(
                label,
                (_count(row.get("good_practice")), _count(row.get("concerns"))),
                suppressed=False,
            )
        )
    trend_value = figures.get("trend")
    trend, trend_suppressed = _trend_sentence(
        trend_value if isinstance(trend_value, Mapping) else {}, minimum=minimum
    )
    return Figures(
        audits=audits,
        domains=tuple(domains),
        themes=tuple(themes),
        trend=trend,
        any_suppressed=any_suppressed or trend_suppressed,
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
    return (
        f"{SUPPRESSED}: figures for a group of fewer than {minimum} audits are not shown, nor "
        "any figure that would let one be worked out."
    )
