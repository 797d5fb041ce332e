"""The cycle review as a document: HTML, PDF and Word, the committee's anonymised in each."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import pytest
from docx import Document

from auditloop.accounts.models import Team
from auditloop.learning.tests.briefing_reading import (
    PDFTOTEXT,
    docx_text,
    html_text,
    pdf_bytes_text,
    pdf_laid_out_text,
)
from auditloop.reports.access.scopes import review_scope
from auditloop.reports.documents import cycle_review_bytes, review_document
from auditloop.reports.renderers.html import review_body_html, review_html
from auditloop.reports.renderers.pdf import review_pdf_document
from auditloop.reports.selectors.cycle_review import cycle_review_sections
from auditloop.reports.tests.review_factories import CHILD_ID, ReviewCouncil, review_council
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

PDFINFO = shutil.which("pdfinfo")


def build(council: ReviewCouncil, audience: str, fmt: str) -> bytes:
    return cycle_review_bytes(cycle=council.cycle, audience=audience, fmt=fmt)


def forbidden(council: ReviewCouncil) -> list[str]:
    """What the committee's version must never hold: every staff member's name (and each part
    of it), every team's name, the child's ID."""
    words = [CHILD_ID]
    for name in council.names:
        words.append(name)
        words.extend(part for part in name.split() if len(part) > 2)
    words.extend(Team.objects.values_list("name", flat=True))
    return words


def named(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]


def test_the_html_review_is_one_standalone_page_with_its_charts_inline(p: Personas) -> None:
    council = review_council(p)
    page = build(council, "committee", "html").decode()
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@page" in page
    assert "<svg" in page
    assert "<link" not in page and "src=" not in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    # Every reference inside a chart finds its own chart's id; colours are left as they are.
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', page)
    assert references and set(references) <= set(ids)
    assert 'fill="#chart' not in page and "fill: #chart" not in page


def test_the_pdf_is_made_from_the_page_with_each_chart_an_image_of_its_svg(p: Personas) -> None:
    council = review_council(p)
    review = review_document(
        cycle=council.cycle,
        audience="committee",
        sections=cycle_review_sections(review_scope(council.cycle, "committee")),
    )
    page = review_html(review, charts_as_images=True)
    assert "<svg" not in page
    images = re.findall(
        r'<img class="app-chart" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page
    )
    assert images
    assert all(base64.b64decode(data).startswith(b"<svg") for data, _ in images)
    assert all(alt.startswith("Chart: ") for _, alt in images)


def test_the_committee_html_names_no_child_no_team_and_no_member_of_staff(p: Personas) -> None:
    council = review_council(p)
    page = build(council, "committee", "html").decode()
    assert named(page, forbidden(council)) == []
    assert "North" in html_text(page)  # the services are named
    assert "Plans in [team] were clearer" in html_text(page)


def test_the_leaders_html_names_teams_but_no_child_and_no_member_of_staff(p: Personas) -> None:
    council = review_council(p)
    text = html_text(build(council, "leaders", "html").decode())
    assert "Fernhallow" in text
    teams = set(Team.objects.values_list("name", flat=True))
    assert named(text, [w for w in forbidden(council) if w not in teams]) == []


def test_the_committee_word_document_names_no_one_in_its_text_tables_or_properties(
    p: Personas,
) -> None:
    council = review_council(p)
    content = build(council, "committee", "docx")
    document = Document(io.BytesIO(content))
    assert document.core_properties.author == "Northshire County Council"
    assert named(docx_text(content), forbidden(council)) == []
    assert len(document.tables) >= 3
    assert all(table.rows[0].cells[0].text for table in document.tables)
    assert len(document.inline_shapes) >= 1
    assert all(
        shape._inline.docPr.get("descr", "").startswith("Chart: ")
        for shape in document.inline_shapes
    )


def test_the_committee_pdf_names_no_one_in_its_text_or_properties(p: Personas) -> None:
    council = review_council(p)
    pdf = build(council, "committee", "pdf")
    assert pdf.startswith(b"%PDF")
    if PDFTOTEXT is not None:
        text = pdf_bytes_text(pdf)
        assert "Six-month cycle review" in text
        assert named(text, forbidden(council)) == []
    if PDFINFO is not None:
        info = pdf_info(pdf)
        assert "Author: Northshire County Council" in info
        assert named(info, forbidden(council)) == []


def test_the_committee_pdf_as_laid_out_names_no_one(p: Personas) -> None:
    """Without poppler: the text WeasyPrint laid out, and the properties it writes."""
    council = review_council(p)
    review = review_document(
        cycle=council.cycle,
        audience="committee",
        sections=cycle_review_sections(review_scope(council.cycle, "committee")),
        draw=lambda item, number: item,
    )
    document = review_pdf_document(review)
    text = pdf_laid_out_text(document)
    assert "Thematic audits and deep dives" in text
    properties = [document.metadata.title or "", *document.metadata.authors]
    assert properties == [review.title, "Northshire County Council"]
    assert named(" ".join([text, *properties]), forbidden(council)) == []


def pdf_info(pdf: bytes) -> str:
    """The PDF's properties as poppler's `pdfinfo` reads them."""
    assert PDFINFO is not None
    result = subprocess.run(  # noqa: S603 - a fixed tool on the test machine, reading our bytes
        [PDFINFO, "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"[ \t]+", " ", result.stdout.decode())


def test_the_reviews_sections_alone_make_a_page_body(p: Personas) -> None:
    council = review_council(p)
    review = review_document(
        cycle=council.cycle,
        audience="leaders",
        sections=cycle_review_sections(review_scope(council.cycle, "leaders")),
    )
    body = review_body_html(review)
    assert "<html" not in body and "<style" not in body
    assert body.count('<section class="app-review-section"') == 11
    assert 'style="' not in body  # charts styled by attributes, for the site's policy


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs poppler's pdftotext")
def test_the_pdf_says_what_c_means_once_rather_than_inside_every_withheld_cell(
    p: Personas,
) -> None:
    council = review_council(p)
    text = pdf_bytes_text(build(council, "committee", "pdf"))
    assert "[c]" in text
    assert "not shown so that no one can be identified" not in text
