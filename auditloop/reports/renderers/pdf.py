"""The cycle review as a PDF: WeasyPrint lays out the standalone HTML page (its own print
stylesheet, the charts as inline SVG), as the briefings do. Tagged (PDF/UA-1) so that a screen
reader reads its headings and tables in order; its title and author are the review's title and
the council, never a person."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.document import Document as PdfDocument

from auditloop.reports.renderers import ReviewDocument
from auditloop.reports.renderers.html import review_html

PDF_VARIANT = "pdf/ua-1"


def review_pdf_document(review: ReviewDocument) -> PdfDocument:
    """The review laid out on A4, with its properties: the review's title, the council as
    author (WeasyPrint reads them from the page's head; set here so that nothing else can)."""
    # Each chart as an image of its SVG: drawn the same (vector, in the PDF) without the page's
    # styles being cascaded over every line of every chart, which took most of the time.
    document = HTML(string=review_html(review, charts_as_images=True)).render()
    document.metadata.title = review.title
    document.metadata.authors = [review.council]
    document.metadata.description = review.subject
    document.metadata.generator = "auditloop"
    return document


def review_pdf(review: ReviewDocument, **options: Any) -> bytes:
    """`options` go to WeasyPrint's `write_pdf` (`uncompressed_pdf=True` to read it in a
    test)."""
    document = review_pdf_document(review)
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT, **options))
