"""The one-page briefing's three exports (HTML, PDF, Word), from a `Briefing` already redacted:
what each shows, that markup is shown as written, one side of A4, the Word document's headings
and properties, the draft and withdrawn marks, and small groups' figures suppressed."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.test import override_settings
from docx import Document
from weasyprint import CSS, HTML

from auditloop.learning.rules.briefing import (
    DRAFT_MARK,
    STYLESHEET,
    SUPPRESSED,
    Briefing,
    briefing_docx,
    briefing_html,
    briefing_pdf,
    briefing_pdf_document,
    example_from,
    headline_figures,
    text_blocks,
)
from auditloop.learning.rules.key_messages import DomainCount, ScopeCounts, counts_figures
from auditloop.learning.tests.briefing_factories import EXAMPLES, PARTS, figures
from auditloop.learning.tests.briefing_reading import docx_text, html_text, pdf_laid_out_text

COUNCIL = "Northshire County Council"
A4_CSS_PX = (210 / 25.4 * 96, 297 / 25.4 * 96)


def briefing(**changes: Any) -> Briefing:
    """A realistic briefing: the four parts, three examples, eight domains, five themes."""
    values: dict[str, Any] = {
        "council": COUNCIL,
        "title": "Plans that say what will change",
        "scope": f"{COUNCIL}, North A team, North service, cycle April to September 2026",
        "published_on": datetime.date(2026, 10, 14),
        "examples": tuple(e for e in (example_from(x) for x in EXAMPLES) if e),
        "figures": headline_figures(figures(), minimum=5),
        **PARTS,
    }
    values.update(changes)
    return Briefing(**values)


def as_html(b: Briefing) -> str:
    return html_text(briefing_html(b))


def as_pdf(b: Briefing) -> str:
    return pdf_laid_out_text(briefing_pdf_document(b))


def as_docx(b: Briefing) -> str:
    return docx_text(briefing_docx(b))


EXPORTS: dict[str, Callable[[Briefing], str]] = {"html": as_html, "pdf": as_pdf, "docx": as_docx}


@pytest.mark.parametrize("export", EXPORTS)
def test_each_export_shows_the_four_numbered_parts_the_examples_and_the_figures(
    export: str,
) -> None:
    text = EXPORTS[export](briefing()).lower()
    for heading in ("1 what we found", "2 why it matters", "3 what good looks like"):
        assert heading in text
    assert "4 what to do next" in text
    assert "we audited 42 case files in the north service" in text
    assert "record every attempt to find and involve the child's father" in text
    for example in EXAMPLES:
        assert example["text"][:60].lower() in text
    assert "area for development \u2013 multi-agency working" in text
    assert "management oversight and supervision" in text
    assert (
        "good or better: 62% of 42 graded audits, against 45% of 38 in october 2025 to march 2026"
    ) in text
    assert COUNCIL.lower() in text


@pytest.mark.parametrize("export", EXPORTS)
def test_markup_in_a_key_message_is_shown_as_written_never_run(export: str) -> None:
    b = briefing(
        title="<script>alert('x')</script> Plans",
        what_we_found="Records used <b>bold</b> & <i>italics</i> for the child's words.",
    )
    text = EXPORTS[export](b)
    if export == "html":
        page = briefing_html(b)
        assert "<script>" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Plans" in page
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;italics&lt;/i&gt;" in page
    else:
        assert "<script>alert('x')</script> Plans" in text
        assert "<b>bold</b> & <i>italics</i>" in text


@pytest.mark.parametrize("export", EXPORTS)
def test_control_characters_pasted_into_a_key_message_do_not_break_an_export(export: str) -> None:
    b = briefing(
        title="Plans\x0b that change",
        what_we_found="Pasted\x00 from\x1f a form\x0c.",
        examples=(example_from({"text": "A\x08 quote", "domain": "Voice\x01"}),),
    )
    text = EXPORTS[export](b)
    assert "Plans that change" in text
    assert "Pasted from a form." in text
    assert "A quote" in text


def test_a_realistic_briefing_fits_one_side_of_a4() -> None:
    document = briefing_pdf_document(briefing())
    assert len(document.pages) == 1
    page = document.pages[0]
    assert (page.width, page.height) == pytest.approx(A4_CSS_PX, abs=1)


def test_a_draft_and_withdrawn_realistic_briefing_still_fits_one_side_of_a4() -> None:
    b = briefing(
        draft=True,
        withdrawn=True,
        withdrawn_on=datetime.date(2026, 11, 2),
        withdrawn_reason="The figures counted two calibration audits; a corrected one follows.",
    )
    assert len(briefing_pdf_document(b).pages) == 1


def test_a_longer_briefing_is_laid_out_smaller_to_keep_to_one_page() -> None:
    longer = {part: f"{text} {text[: len(text) // 2]}" for part, text in PARTS.items()}
    longer["what_to_do_next"] = PARTS["what_to_do_next"] + "\n- Read the practice guide."
    b = briefing(**longer)
    stylesheet = CSS(filename=str(STYLESHEET))
    at_full_size = HTML(string=briefing_html(b)).render(stylesheets=[stylesheet])
    assert len(at_full_size.pages) == 2
    document = briefing_pdf_document(b)
    assert len(document.pages) == 1
    assert "read the practice guide." in pdf_laid_out_text(document).lower()


def test_the_word_document_has_a_title_numbered_headings_quotes_and_a_figures_table() -> None:
    document = Document(io.BytesIO(briefing_docx(briefing())))
    by_style = [(p.style.name, p.text) for p in document.paragraphs if p.style is not None]
    assert ("Title", "Plans that say what will change") in by_style
    headings = [text for style, text in by_style if style == "Heading 1"]
    assert headings[:4] == [
        "1 What we found",
        "2 Why it matters",
        "3 What good looks like",
        "4 What to do next",
    ]
    assert "Examples from the audits" in headings
    quotes = [text for style, text in by_style if style == "Quote"]
    assert quotes == [example["text"] for example in EXAMPLES]
    bullets = [text for style, text in by_style if style == "List Bullet"]
    assert bullets[0] == "Rewrite any plan that has no measurable outcomes before its next review."
    domains = document.tables[0]
    assert [c.text for c in domains.rows[0].cells] == [
        "Domain",
        "Audits",
        "Good or better",
        "Requires improvement or worse",
    ]
    assert [c.text for c in domains.rows[1].cells] == [
        "Voice and lived experience",
        "42",
        "30",
        "12",
    ]
    assert len(domains.rows) == 9


def test_the_word_document_properties_name_the_council_never_a_person() -> None:
    properties = Document(io.BytesIO(briefing_docx(briefing()))).core_properties
    assert properties.title == "Plans that say what will change"
    assert properties.author == COUNCIL
    assert properties.last_modified_by == COUNCIL
    assert properties.comments == ""
    assert properties.language == "en-GB"


def test_the_pdf_names_the_council_as_its_author_and_the_briefing_as_its_title() -> None:
    metadata = briefing_pdf_document(briefing()).metadata
    assert metadata.authors == [COUNCIL]
    assert (
        metadata.title
        == "Plans that say what will change \u2013 7-minute briefing \u2013 " + COUNCIL
    )


def test_the_pdf_is_tagged_for_screen_readers_in_british_english() -> None:
    pdf = briefing_pdf(briefing(), uncompressed_pdf=True)
    assert b"/StructTreeRoot" in pdf
    assert b"/Marked true" in pdf
    assert b"/Lang (en-GB)" in pdf


def test_the_html_page_is_in_british_english_with_one_h1_then_h2s() -> None:
    page = briefing_html(briefing())
    assert '<html lang="en-GB">' in page
    headings = re.findall(r"<h([1-6])", page)
    assert headings[0] == "1"
    assert headings.count("1") == 1
    assert set(headings[1:]) == {"2"}


@pytest.mark.parametrize("export", EXPORTS)
def test_a_draft_is_marked_not_for_circulation_in_every_export(export: str) -> None:
    assert DRAFT_MARK.lower() in EXPORTS[export](briefing(draft=True)).lower()
    assert DRAFT_MARK.lower() not in EXPORTS[export](briefing()).lower()


@pytest.mark.parametrize("export", EXPORTS)
def test_a_withdrawn_briefing_says_so_first_in_every_export(export: str) -> None:
    b = briefing(withdrawn=True, withdrawn_on=datetime.date(2026, 11, 2))
    text = EXPORTS[export](b)
    start = text.lower().index("withdrawn")
    assert start < text.index("Plans that say what will change") or export == "docx"
    assert "Withdrawn on 2 November 2026" in text
    assert "do not circulate it or act on it" in text
    if export == "docx":
        document = Document(io.BytesIO(briefing_docx(b)))
        assert document.paragraphs[0].text == "Withdrawn"
        assert document.sections[0].header.paragraphs[0].text == "Withdrawn"


def test_markers_for_a_draft_are_in_the_word_documents_page_header() -> None:
    document = Document(io.BytesIO(briefing_docx(briefing(draft=True))))
    assert document.sections[0].header.paragraphs[0].text == DRAFT_MARK
    assert document.paragraphs[0].text == DRAFT_MARK


# Small groups.


def small_count_figures() -> dict[str, Any]:
    """Figures as the compile step freezes them where one domain ("Impact and outcomes") was
    graded Inadequate in 1 of 7 audits, and 43 times Good or better in "Recording and
    chronology" against 1 requiring improvement (numbers found nowhere else on the page)."""
    counts = ScopeCounts(
        cycle="April to September 2026",
        audits=44,
        graded_audits=44,
        good_or_better_audits=30,
        requires_improvement_or_worse_audits=14,
        people=12,
        domains=[
            DomainCount("Voice and lived experience", (0,), 44, 30, 14),
            DomainCount("Recording and chronology", (1,), 44, 43, 1),
            DomainCount("Impact and outcomes", (2,), 7, 6, 1),
        ],
    )
    return counts_figures(counts, small_group_min=5)


@pytest.mark.parametrize("export", EXPORTS)
def test_a_domain_with_one_inadequate_among_seven_shows_neither_the_one_nor_the_six(
    export: str,
) -> None:
    b = briefing(figures=headline_figures(small_count_figures(), minimum=5))
    text = EXPORTS[export](b)
    assert f"Impact and outcomes 7 {SUPPRESSED} {SUPPRESSED}" in text
    assert f"Recording and chronology 44 {SUPPRESSED} {SUPPRESSED}" in text
    assert "Voice and lived experience 44 30 14" in text
    for hidden in ("1", "6", "43"):
        assert not re.search(rf"(?<![\d.%-]){hidden}(?![\d.%])", _figures_part(text))
    assert "[c] Not shown so that no one can be identified: a count from 1 to 4" in text


def _figures_part(text: str) -> str:
    """The text from "The figures" to the footnote (the rest is the briefing's own words)."""
    start = text.index("The figures")
    return text[start : text.index("[c] Not shown", start)]


def test_the_word_tables_suppressed_cells_hold_no_number() -> None:
    b = briefing(figures=headline_figures(small_count_figures(), minimum=5))
    table = Document(io.BytesIO(briefing_docx(b))).tables[0]
    assert [c.text for c in table.rows[3].cells] == ["Impact and outcomes", "7", "[c]", "[c]"]


@override_settings(AUDITLOOP_SMALL_GROUP_MIN=10)
def test_the_threshold_is_the_one_given_not_a_fixed_five() -> None:
    shown = headline_figures(figures(audits=8), minimum=10)
    assert shown.audits == SUPPRESSED
    assert not shown.domains and not shown.themes
    assert "a count from 1 to 9, a group of fewer than 10 audits" in as_html(
        briefing(figures=shown)
    )


def test_figures_withheld_whole_show_no_number() -> None:
    shown = headline_figures({"cycle": "Spring", "suppressed": True}, minimum=5)
    assert shown.audits == SUPPRESSED
    assert shown.any_suppressed


def test_a_trend_against_a_suppressed_previous_share_is_suppressed() -> None:
    data = figures()
    data["previous"]["good_or_better_share"] = None
    data["trend"]["good_or_better_change"] = None
    shown = headline_figures(data, minimum=5)
    assert shown.trend == f"Trend against the previous cycle: {SUPPRESSED}."
    assert shown.any_suppressed


def test_figures_of_a_shape_it_does_not_know_are_left_out_not_guessed() -> None:
    assert headline_figures(["not", "a", "mapping"], minimum=5).is_empty
    # Figures not frozen by the suppressing compile step (an earlier shape, or none) are
    # withheld whole rather than shown unchecked.
    for unchecked in (
        {"domains": "nope", "themes": [1, 2], "trend": 7},
        {"audits": 42, "themes": [{"theme": "Drift", "good_practice_points": 1}]},
    ):
        shown = headline_figures(unchecked, minimum=5)
        assert (shown.audits, shown.domains, shown.themes, shown.trend) == (SUPPRESSED, (), (), "")
    checked = figures()
    checked["domains"] = [{"domain": "Voice"}]
    assert headline_figures(checked, minimum=5).domains[0].cells == (SUPPRESSED,) * 3


def test_a_briefing_without_figures_has_no_figures_section() -> None:
    b = replace(briefing(), figures=headline_figures({}, minimum=5))
    assert "The figures" not in as_html(b)
    assert "The figures" not in as_docx(b)


def test_bulleted_lines_become_a_list_and_blank_lines_part_paragraphs() -> None:
    blocks = text_blocks("First point\ncontinues.\n\n- one\n- two\n\nLast.")
    assert [(b.items, b.is_list) for b in blocks] == [
        (("First point continues.",), False),
        (("one", "two"), True),
        (("Last.",), False),
    ]
