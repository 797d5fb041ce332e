"""A key message's briefing in a real browser: a practitioner it was sent to opens it, reads the
four parts, prints it (the download links stay off the paper) and downloads the PDF and the
Word document; an audit lead opens a draft, marked not for circulation. Every page passes axe
(WCAG 2.2 AA), with its own stylesheet loaded under the site's Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.learning.models import KeyMessageRecipient, KeyMessageStatus
from auditloop.learning.tests.briefing_factories import key_message_make
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def test_a_practitioner_reads_prints_and_downloads_a_published_briefing(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    km = key_message_make(p, status=KeyMessageStatus.PUBLISHED)
    KeyMessageRecipient.objects.create(key_message=km, staff=p.practitioner)
    page = page_as(p.practitioner)
    page.goto(f"/key-messages/{km.public_id}/briefing/")

    expect(page).to_have_title(re.compile(r"^Plans that say what will change \u2013 7-minute"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans that say what will change")
    parts = page.get_by_role("heading", level=2)
    expect(parts.nth(0)).to_have_text("1 What we found")
    expect(parts.nth(3)).to_have_text("4 What to do next")
    expect(page.get_by_role("table", name="Grades by domain")).to_be_visible()
    # The stylesheet is the page's own file, so the policy lets it in: the title band is blue.
    band = page.locator(".briefing-band")
    expect(band).to_have_css("background-color", "rgb(29, 78, 137)")
    assert_accessible(page)

    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download as PDF").click()
    assert re.fullmatch(
        r"briefing-north-a-team-north-service-april-to-september-2026-\d{4}-\d\d-\d\d\.pdf",
        pdf.value.suggested_filename,
    )
    with page.expect_download() as word:
        page.get_by_role("link", name="Download as Word").click()
    assert word.value.suggested_filename.endswith(".docx")

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Download this briefing")).to_be_hidden()
    expect(page.get_by_role("heading", name="1 What we found")).to_be_visible()


def test_an_audit_lead_opens_a_draft_briefing_marked_not_for_circulation(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    km = key_message_make(p, status=KeyMessageStatus.DRAFT)
    page = page_as(p.moderator)
    page.goto(f"/key-messages/{km.public_id}/briefing/")
    expect(page).to_have_title(re.compile(r"^Draft \u2014 not for circulation: Plans"))
    expect(page.get_by_text("Draft \u2014 not for circulation", exact=True)).to_be_visible()
    expect(page.get_by_text("Not published")).to_be_visible()
    assert_accessible(page)


def test_a_withdrawn_briefing_is_accessible_with_its_mark_first(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    km = key_message_make(p, status=KeyMessageStatus.WITHDRAWN)
    page = page_as(p.senior_leader)
    page.goto(f"/key-messages/{km.public_id}/briefing/")
    expect(page.locator("main > *").first).to_contain_text("Withdrawn")
    assert_accessible(page)
