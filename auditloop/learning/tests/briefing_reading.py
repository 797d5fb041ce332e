"""Reading the three exports back as text, for the tests.

WeasyPrint cannot read a PDF; what it can give is the text it laid out on each page, which is
the text the PDF draws (`pdf_laid_out_text`). Where poppler's `pdftotext` is installed the PDF's
own bytes are read as well (`pdf_bytes_text`)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape

from docx import Document
from weasyprint.document import Document as PdfDocument
from weasyprint.formatting_structure import boxes

PDFTOTEXT = shutil.which("pdftotext")


def html_text(html: str) -> str:
    """The words of an HTML page as a reader sees them: tags taken out, entities read."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def pdf_laid_out_text(document: PdfDocument) -> str:
    texts = [
        box.text
        for page in document.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox)
    ]
    return re.sub(r"\s+", " ", " ".join(texts))


def pdf_bytes_text(pdf: bytes) -> str:
    assert PDFTOTEXT is not None
    result = subprocess.run(  # noqa: S603 - a fixed tool on the test machine, reading our bytes
        [PDFTOTEXT, "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", result.stdout.decode())


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.header.paragraphs]
    props = document.core_properties
    parts += [props.title or "", props.author or "", props.subject or "", props.comments or ""]
    parts += [props.last_modified_by or "", props.keywords or "", props.category or ""]
    return re.sub(r"\s+", " ", " ".join(parts))
