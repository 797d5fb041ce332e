"""The cycle review as a Word document (python-docx): the same sections, words and tables as
the page, each table with a header row repeated across pages, each chart as a PNG beside its
table. Its properties (title, author, subject) name the council and the cycle, never a person.
Text goes in as text runs, so nothing in it is ever run as markup."""

from __future__ import annotations

import datetime
import io

import docx
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from auditloop.learning.rules.briefing import clean_text
from auditloop.learning.selectors.team_picture import FigureTable, suppressed_note
from auditloop.reports.renderers import ReviewDocument

SUPPRESSED_WORDS = "[c]"
CHART_WIDTH = Mm(165)


def _table(document: WordDocument, table: FigureTable) -> None:
    caption = document.add_paragraph()
    caption.add_run(clean_text(table.caption)).bold = True
    headings = [table.row_heading, *table.columns, table.total_heading]
    if table.derived_heading:
        headings.append(table.derived_heading)
    word = document.add_table(rows=1, cols=len(headings))
    word.style = document.styles["Table Grid"]
    header = word.rows[0]
    # Repeated at the top of every page the table runs onto, and read as headers.
    header_properties = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for cell, words in zip(header.cells, headings, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(clean_text(words)).bold = True
    lines = [
        (row.label, [*row.cells, row.total, *([row.derived] if table.derived_heading else [])])
        for row in table.rows
    ]
    if table.column_totals:
        lines.append(
            (
                "Total",
                [
                    *table.column_totals,
                    table.grand_total,
                    *([table.derived_total] if table.derived_heading else []),
                ],
            )
        )
    for label, figures in lines:
        cells = word.add_row().cells
        cells[0].text = clean_text(label)
        for cell, figure in zip(cells[1:], figures, strict=True):
            cell.text = (
                ""
                if figure is None
                else SUPPRESSED_WORDS
                if figure.suppressed
                else clean_text(figure.text)
            )
    if table.suppressed:
        document.add_paragraph(suppressed_note())


def review_docx(review: ReviewDocument) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(18))
    section.header.paragraphs[0].text = clean_text(f"{review.council} · {review.audience_label}")
    properties = document.core_properties
    properties.title = clean_text(review.title)
    properties.subject = clean_text(review.subject)
    properties.author = clean_text(review.council)
    properties.last_modified_by = clean_text(review.council)
    properties.comments = ""
    properties.keywords = "cycle review; audit; improvement board"
    properties.category = clean_text(review.audience_label)
    properties.language = "en-GB"
    properties.revision = 1
    properties.created = properties.modified = datetime.datetime.now(tz=datetime.UTC)

    caption = document.add_paragraph()
    run = caption.add_run(clean_text(f"{review.council} · {review.audience_label}"))
    run.font.color.rgb = RGBColor(0x50, 0x5A, 0x5F)
    document.add_heading(clean_text(review.title), level=0)
    document.add_paragraph(f"{review.period}. Built on {_day(review.built_on)}.")
    for note in review.notes:
        paragraph = document.add_paragraph()
        paragraph.add_run(clean_text(note)).font.size = Pt(9)
    for drawn in review.sections:
        document.add_heading(clean_text(drawn.section.heading), level=1)
        for words in drawn.section.words:
            document.add_paragraph(clean_text(words))
        for item in drawn.blocks:
            block = item.block
            document.add_heading(clean_text(block.heading), level=2)
            for words in block.words:
                document.add_paragraph(clean_text(words))
            if item.png and block.chart is not None:
                picture = document.add_picture(io.BytesIO(item.png), width=CHART_WIDTH)
                # Word's alternative text, read out in place of the picture.
                picture._inline.docPr.set("descr", clean_text(f"Chart: {block.chart.title}"))
                chart_caption = document.add_paragraph()
                chart_caption.add_run(
                    clean_text(f"{block.chart.title}: the figures are in the table below.")
                    if block.table
                    else clean_text(block.chart.title)
                ).italic = True
            if block.table is not None:
                _table(document, block.table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"
