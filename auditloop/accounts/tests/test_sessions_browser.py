"""In a real browser: an auditor signed in on two browsers finds their sessions from the
header and ends the other one, which is signed out on its next page; an administrator ends
all of someone's sessions from their staff record, after a confirmation. Every page visited
passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.accounts.models import StaffMember
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[[StaffMember], Page]


def test_an_auditor_ends_the_session_they_left_open_on_another_browser(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    left_open = page_as(p.auditor)
    page = page_as(p.auditor)

    page.get_by_role("link", name="Your sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signed-in sessions")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="This session")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("button", name="End the session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been ended")
    expect(rows).to_have_count(1)
    expect(page.get_by_text("You are not signed in anywhere else.")).to_be_visible()
    assert_accessible(page)

    left_open.goto("/")
    expect(left_open.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_administrator_ends_all_of_someones_sessions_after_confirming(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    theirs = page_as(p.auditor)
    admin = page_as(p.administrator)

    admin.goto(f"/administration/staff/{p.auditor.public_id}/")
    admin.get_by_role("button", name="End all sessions and tokens").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        f"End all of {p.auditor.name}'s sessions and API tokens?"
    )
    assert_accessible(admin)
    admin.get_by_role("button", name="End all sessions and tokens").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text(
        "1 session ended and 0 API tokens revoked"
    )
    assert_accessible(admin)

    theirs.goto("/")
    expect(theirs.get_by_role("button", name="Sign in")).to_be_visible()
