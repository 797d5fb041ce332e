"""A key message's figures are suppressed by the shared rules (`learning.rules.suppression`),
small counts and all, wherever they are shown: its page, the review page and the three
briefing exports. Its readers, every practitioner and manager of the teams concerned, may not
read the audits behind the figures."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.learning.models import KeyMessage
from auditloop.learning.rules.briefing import briefing_pdf_document
from auditloop.learning.selectors.briefings import briefing_for_key_message
from auditloop.learning.selectors.key_messages import Scope
from auditloop.learning.services.key_messages import key_message_compile, key_message_submit
from auditloop.learning.tests.briefing_reading import docx_text, html_text, pdf_laid_out_text
from auditloop.learning.tests.key_message_factories import (
    counted_team,
    graded_questions,
    make_counted_audit,
    make_cycle,
    parts_written,
    second_lead,
)
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

NOTE = "[c] Not shown so that no one can be identified: a count from 1 to 4"


def one_inadequate_among_seven(p: Personas) -> KeyMessage:
    """North A's key message, in review, for a cycle of seven audits: the first domain graded
    Good six times and Inadequate once, every other graded domain Good seven times."""
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
    counted_team(p, cycle, 6, answers=["good", "good"])
    make_counted_audit(p, cycle, answers=["inadequate", "good"])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    return key_message_submit(key_message=parts_written(message), by=p.moderator)


def domain_row(text: str, domain: str) -> str:
    """The words of a table row from the domain's name to the next domain's or the table's end."""
    start = text.index(domain) + len(domain)
    return text[start : start + 60]


def assert_hides_the_one_and_the_six(text: str, domain: str) -> None:
    row = domain_row(text, domain)
    assert re.match(r"\s*7\s+\[c\]\s+\[c\]", row), row
    assert NOTE in text


def get(client: Client, route: str, message: KeyMessage) -> bytes:
    response = client.get(reverse(f"learning:{route}", kwargs={"public_id": message.public_id}))
    assert response.status_code == 200
    return response.content


def test_the_page_shows_c_for_the_one_inadequate_among_seven_and_for_the_six(
    p: Personas,
) -> None:
    message = one_inadequate_among_seven(p)
    page = html_text(get(p.client_for(p.moderator), "key_message_detail", message).decode())
    assert_hides_the_one_and_the_six(page, graded_questions(p)[0].text)
    assert "14%" not in page and "86%" not in page


def test_the_review_page_shows_the_figures_as_readers_will_see_them(p: Personas) -> None:
    message = one_inadequate_among_seven(p)
    page = html_text(get(p.client_for(second_lead(p)), "key_message_review", message).decode())
    assert_hides_the_one_and_the_six(page, graded_questions(p)[0].text)
    assert "14%" not in page and "86%" not in page


@pytest.mark.parametrize("export", ["briefing_html", "briefing_docx"])
def test_the_html_and_word_briefings_show_c_for_the_one_and_the_six(
    p: Personas, export: str
) -> None:
    message = one_inadequate_among_seven(p)
    content = get(p.client_for(p.moderator), export, message)
    text = html_text(content.decode()) if export == "briefing_html" else docx_text(content)
    assert_hides_the_one_and_the_six(text, graded_questions(p)[0].text)


def test_the_pdf_briefing_lays_out_c_for_the_one_and_the_six(p: Personas) -> None:
    message = one_inadequate_among_seven(p)
    briefing = briefing_for_key_message(message, today=datetime.date(2026, 11, 30))
    text = pdf_laid_out_text(briefing_pdf_document(briefing))
    assert_hides_the_one_and_the_six(text, graded_questions(p)[0].text)


def test_a_scope_of_two_peoples_cases_says_its_figures_are_withheld_on_the_page(
    p: Personas,
) -> None:
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
    for _ in range(6):
        make_counted_audit(p, cycle, answers=["good"], practitioner=p.practitioner)
        make_counted_audit(p, cycle, answers=["good"], practitioner=p.team_manager)
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    page = html_text(get(p.client_for(p.moderator), "key_message_detail", message).decode())
    assert "are of fewer than 3 people\u2019s cases" in page
    assert "Audits counted" not in page
    assert not re.search(r"\b12\b", page)


def test_figures_frozen_before_small_counts_were_checked_are_withheld_not_shown(
    p: Personas,
) -> None:
    message = one_inadequate_among_seven(p)
    # The shape an earlier compile step froze: shares beside their N, nothing suppressed.
    message.figures = {
        "cycle": "Spring 2026",
        "suppressed": False,
        "small_group_min": 5,
        "audits": 7,
        "graded_audits": 7,
        "good_or_better_share": 86,
        "requires_improvement_or_worse_share": 14,
        "domains": [
            {
                "domain": "Voice",
                "graded": 7,
                "good_or_better_share": 86,
                "requires_improvement_or_worse_share": 14,
                "suppressed": False,
            }
        ],
        "themes": [{"theme": "Drift", "good_practice_points": 0, "concern_points": 1}],
    }
    message.save()
    lead = p.client_for(p.moderator)
    page = html_text(get(lead, "key_message_detail", message).decode())
    briefing = html_text(get(lead, "briefing_html", message).decode())
    assert "compiled before small counts were checked" in page
    for text in (page, briefing):
        assert "86" not in text and "14%" not in text
        assert "Drift" not in text
