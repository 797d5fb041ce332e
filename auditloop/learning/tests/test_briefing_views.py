"""A key message's briefing pages and downloads: made from the published text only, a draft's
redacted and marked, a withdrawn one marked, who may download it, the files' names and types,
and an event for each export."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from auditloop.accounts.models import StaffMember
from auditloop.core.models import Event
from auditloop.core.tests.url_walk import all_routes
from auditloop.learning.models import KeyMessage, KeyMessageRecipient, KeyMessageStatus
from auditloop.learning.rules.briefing import DRAFT_MARK, briefing_pdf_document
from auditloop.learning.selectors.briefings import briefing_for_key_message
from auditloop.learning.tests.briefing_factories import EXAMPLES, key_message_make
from auditloop.learning.tests.briefing_reading import (
    PDFTOTEXT,
    docx_text,
    html_text,
    pdf_bytes_text,
    pdf_laid_out_text,
)
from auditloop.testing import Personas
from auditloop.tests.test_url_access import route_groups

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROUTES = ("learning:briefing_html", "learning:briefing_pdf", "learning:briefing_docx")

# Written about a child's case by an audit lead, before review: it names the practitioner and
# the manager the product knows, the child's case id, a postcode, and a child whose name only
# the reviewer's addition takes out.
NAMING_TEXT = (
    "Pat Practitioner's visits to the child (00123) at BS1 4DJ were regular and Mary "
    "Manager's supervision notes were reflective; Rosie Hartley told the worker she felt heard."
)
NAMES = ("Pat", "Practitioner", "Mary", "Rosie", "Hartley", "00123", "BS1 4DJ")


def names_in(text: str) -> list[str]:
    return [name for name in NAMES if re.search(rf"\b{re.escape(name)}\b", text)]


def draft_naming_people(p: Personas, **fields: Any) -> KeyMessage:
    return key_message_make(
        p,
        status=KeyMessageStatus.IN_REVIEW,
        title="What Pat Practitioner's cases tell us",
        what_we_found=NAMING_TEXT,
        examples=[{**EXAMPLES[0], "text": NAMING_TEXT}],
        redaction_added=[{"text": "Rosie Hartley", "label": "person"}],
        **fields,
    )


def get(client: Client, route: str, km: KeyMessage) -> bytes:
    response = client.get(reverse(route, args=[km.public_id]))
    assert response.status_code == 200, response.status_code
    return response.content


def exports_as_text(client: Client, km: KeyMessage) -> dict[str, str]:
    texts = {
        "html": html_text(get(client, "learning:briefing_html", km).decode()),
        "docx": docx_text(get(client, "learning:briefing_docx", km)),
    }
    pdf = get(client, "learning:briefing_pdf", km)
    assert pdf.startswith(b"%PDF-")
    if PDFTOTEXT:
        texts["pdf"] = pdf_bytes_text(pdf)
    return texts


def test_a_drafts_exports_name_nobody_and_are_marked_not_for_circulation(p: Personas) -> None:
    km = draft_naming_people(p)
    texts = exports_as_text(p.client_for(p.moderator), km)
    for export, text in texts.items():
        assert not names_in(text), f"{export} names {names_in(text)}"
        assert DRAFT_MARK.lower() in text.lower(), export
        assert "[social worker]'s visits to the child ([child ID]) at [postcode]" in text, export
        assert "[team manager]'s supervision notes" in text, export
        assert "[person] told the worker" in text, export


def test_a_drafts_pdf_lays_out_no_name_and_the_draft_mark(p: Personas) -> None:
    """The PDF's own text where poppler can read it (above); always, the text WeasyPrint laid
    out on its page, from the same briefing the view makes."""
    km = draft_naming_people(p)
    briefing = briefing_for_key_message(km, today=datetime.date(2026, 11, 30))
    text = pdf_laid_out_text(briefing_pdf_document(briefing))
    assert not names_in(text)
    assert DRAFT_MARK.upper() in text.upper()
    assert "[social worker]'s visits" in text


def test_a_reviewers_kept_string_stays_but_a_known_staff_name_never_does(p: Personas) -> None:
    km = draft_naming_people(
        p, redaction_kept=[{"text": "Rosie Hartley", "label": "person"}, {"text": "Mary"}]
    )
    km.redaction_added = []
    km.save()
    text = html_text(get(p.client_for(p.moderator), "learning:briefing_html", km).decode())
    assert "Rosie Hartley told the worker" in text
    assert "Mary" not in text


def test_a_published_briefing_is_made_from_the_published_text_only(p: Personas) -> None:
    km = key_message_make(
        p,
        status=KeyMessageStatus.PUBLISHED,
        what_we_found=NAMING_TEXT,
        published_text={
            "title": "Plans that say what will change",
            "what_we_found": "[social worker]'s visits were regular, as the reviewer left it.",
            "why_it_matters": "Drift.",
            "what_good_looks_like": "SMART plans.",
            "what_to_do_next": "- Rewrite plans.",
            "examples": [{**EXAMPLES[1], "text": "A redacted example the readers saw."}],
        },
    )
    texts = exports_as_text(p.client_for(p.moderator), km)
    for export, text in texts.items():
        assert "as the reviewer left it" in text, export
        assert "A redacted example the readers saw." in text, export
        assert "were regular and" not in text, export
        assert not names_in(text), export
        assert DRAFT_MARK.lower() not in text.lower(), export
        assert "Published " in text, export


def test_a_withdrawn_briefing_says_withdrawn_in_every_export(p: Personas) -> None:
    km = key_message_make(
        p,
        status=KeyMessageStatus.WITHDRAWN,
        withdrawn_reason="Mary Manager found two calibration audits among those counted.",
        withdrawn_at=datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC),
    )
    texts = exports_as_text(p.client_for(p.senior_leader), km)
    for export, text in texts.items():
        assert "Withdrawn on 2 November 2026" in text, export
        assert "Why: [team manager] found two calibration audits" in text, export
        assert "Mary" not in text, export
    page = get(p.client_for(p.senior_leader), "learning:briefing_html", km).decode()
    assert page.index("briefing-status__mark") < page.index("<h1")


def test_the_html_briefing_opens_in_the_browser_with_its_downloads_linked(p: Personas) -> None:
    km = key_message_make(p, status=KeyMessageStatus.PUBLISHED)
    response = p.client_for(p.moderator).get(reverse("learning:briefing_html", args=[km.public_id]))
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert f'href="{reverse("learning:briefing_pdf", args=[km.public_id])}"' in page
    assert f'href="{reverse("learning:briefing_docx", args=[km.public_id])}"' in page
    assert 'href="/static/learning/briefing.css"' in page


@pytest.mark.parametrize(
    ("route", "content_type", "extension"),
    [("learning:briefing_pdf", "application/pdf", "pdf"), ("learning:briefing_docx", WORD, "docx")],
)
def test_downloads_are_attachments_named_by_team_cycle_and_date_never_a_person(
    p: Personas, route: str, content_type: str, extension: str
) -> None:
    km = draft_naming_people(p)
    response = p.client_for(p.moderator).get(reverse(route, args=[km.public_id]))
    assert response["Content-Type"] == content_type
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        "attachment; filename="
        f'"draft-briefing-north-a-team-north-service-april-to-september-2026-{today}.{extension}"'
    )
    assert response["Cache-Control"] == "no-store"


def test_a_published_download_is_named_by_its_publication_date(p: Personas) -> None:
    published_at = datetime.datetime(2026, 10, 14, 9, 30, tzinfo=datetime.UTC)
    km = key_message_make(
        p, status=KeyMessageStatus.PUBLISHED, published_at=published_at, team=None, service=None
    )
    response = p.client_for(p.moderator).get(reverse("learning:briefing_pdf", args=[km.public_id]))
    assert response["Content-Disposition"] == (
        'attachment; filename="briefing-north-service-april-to-september-2026-2026-10-14.pdf"'
    )


def test_the_word_download_carries_the_four_parts_and_the_council_as_author(p: Personas) -> None:
    km = key_message_make(p, status=KeyMessageStatus.PUBLISHED)
    document = Document(io.BytesIO(get(p.client_for(p.moderator), "learning:briefing_docx", km)))
    headings = [
        para.text
        for para in document.paragraphs
        if para.style is not None and para.style.name == "Heading 1"
    ]
    assert headings[:4] == [
        "1 What we found",
        "2 Why it matters",
        "3 What good looks like",
        "4 What to do next",
    ]
    assert document.core_properties.author == "Northshire County Council"
    assert "Northshire County Council, North A team, North service, cycle April" in (
        document.paragraphs[2].text
    )


def test_each_export_is_recorded_as_an_event_naming_its_format(p: Personas) -> None:
    km = key_message_make(p, status=KeyMessageStatus.PUBLISHED)
    client = p.client_for(p.board_member)
    for route in ROUTES:
        get(client, route, km)
    events = Event.objects.filter(verb="key_message.briefing_exported", target_id=str(km.public_id))
    assert [(e.actor, e.after["format"]) for e in events.order_by("pk")] == [
        (p.board_member.user, "html"),
        (p.board_member.user, "pdf"),
        (p.board_member.user, "docx"),
    ]
    assert all(e.after["status"] == "published" for e in events)


def _readers(p: Personas) -> dict[str, StaffMember]:
    return p.all_roles()


@pytest.mark.parametrize("route", ROUTES)
def test_every_reader_of_a_published_message_may_export_it_and_nobody_else(
    p: Personas, route: str
) -> None:
    km = key_message_make(p, status=KeyMessageStatus.PUBLISHED)
    for staff in (p.practitioner, p.team_manager):
        KeyMessageRecipient.objects.create(key_message=km, staff=staff)
    readers = {"practitioner", "team_manager", "moderator", "senior_leader", "board_member"}
    url = reverse(route, args=[km.public_id])
    answers = {who: p.client_for(s).get(url).status_code for who, s in _readers(p).items()}
    assert answers == {who: 200 if who in readers else 404 for who in answers}


@pytest.mark.parametrize("route", ROUTES)
def test_only_audit_leads_and_senior_leaders_may_export_a_draft(p: Personas, route: str) -> None:
    km = draft_naming_people(p)
    KeyMessageRecipient.objects.create(key_message=km, staff=p.practitioner)
    url = reverse(route, args=[km.public_id])
    answers = {who: p.client_for(s).get(url).status_code for who, s in _readers(p).items()}
    assert answers == {
        who: 200 if who in {"moderator", "senior_leader"} else 404 for who in answers
    }
    assert not Event.objects.filter(
        verb="key_message.briefing_exported", actor=p.practitioner.user
    ).exists()


@pytest.mark.parametrize("route", ROUTES)
def test_a_signed_out_visitor_is_sent_to_sign_in(p: Personas, route: str) -> None:
    km = key_message_make(p, status=KeyMessageStatus.PUBLISHED)
    response = Client().get(reverse(route, args=[km.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_url_walk_finds_each_briefing_route_and_its_access_decision() -> None:
    decisions = {
        route.name: getattr(route.callback, "access_decision", None) for route in all_routes()
    }
    for name in ROUTES:
        assert decisions[name] == "any staff; object helper decides"
    assert "learning" in route_groups()


def test_a_message_marked_published_without_its_published_text_is_redacted_as_a_draft(
    p: Personas,
) -> None:
    km = key_message_make(
        p, status=KeyMessageStatus.PUBLISHED, what_we_found=NAMING_TEXT, published_text={}
    )
    briefing = briefing_for_key_message(km, today=datetime.date(2026, 11, 30))
    assert briefing.draft
    assert briefing.what_we_found.startswith("[social worker]'s visits")


def test_published_examples_given_as_bare_text_keep_their_kind_and_domain(p: Personas) -> None:
    km = key_message_make(p, status=KeyMessageStatus.PUBLISHED)
    km.published_text = {**km.published_text, "examples": ["The redacted first example.", ""]}
    briefing = briefing_for_key_message(km, today=datetime.date(2026, 11, 30))
    assert [(e.text, e.caption) for e in briefing.examples] == [
        ("The redacted first example.", "Good practice to share \u2013 Voice and lived experience")
    ]
