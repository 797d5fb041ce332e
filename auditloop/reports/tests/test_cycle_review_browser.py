"""The cycle review's preview in a real browser: an audit lead reads the committee's version,
then chooses the leaders' and reads it with team names. Every page visited passes axe (WCAG
2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from auditloop.reports.tests.review_factories import review_council
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def test_an_audit_lead_previews_both_versions_of_a_cycle_review(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    council = review_council(p)
    p.moderator.services.add(p.south)

    page = page_as(p.moderator)
    page.goto(reverse("reports:cycle-review-preview", args=[council.cycle.public_id]))
    expect(page).to_have_title(re.compile(r"^Cycle review preview: April to September 2026"))
    expect(page.get_by_role("heading", level=2, name="1. Summary")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="11. Next six months")).to_be_visible()
    expect(page.get_by_role("table", name="Overall grades by service")).to_be_visible()
    expect(page.get_by_text("Kestrelmoor")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Leaders (with team names)").check()
    page.get_by_role("button", name="Show this version").click()
    expect(page).to_have_url(re.compile(r"audience=leaders"))
    expect(page.get_by_role("table", name="Overall grades by team")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Kestrelmoor")).first).to_be_visible()
    assert_accessible(page)
