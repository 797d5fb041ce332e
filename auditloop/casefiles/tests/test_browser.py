"""Case files in a real browser: an administrator adds one with its key dates (GOV.UK date
inputs), a moderator finds it by LA child ID (a POST search: the ID never enters a URL), and
the administrator sees the change in the event log and the read in the access log. Every page
visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
CHILD_ID = "NA-77001"


def _menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=item).click()


def _record_urls(page: Page) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    return asked


def _fill_date(page: Page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _add_case_file(page: Page) -> None:
    _menu(page, "Cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case files")
    assert_accessible(page)
    page.get_by_role("button", name="Add a case file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a case file")
    assert_accessible(page)

    # A date that does not exist comes back with the error summary, the rest kept.
    page.get_by_label("LA child ID").fill(CHILD_ID)
    page.get_by_role("group", name="Cohort").get_by_label("Child protection").check()
    page.get_by_label("Allocated team").select_option(label="North A (North)")
    page.get_by_label("Allocated worker").select_option(label="Pat Practitioner (North A)")
    _fill_date(page, "Referral date", datetime.date(2026, 2, 9))
    _fill_date(page, "CP plan start", datetime.date(2026, 3, 16))
    group = page.get_by_role("group", name="Last statutory visit")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("9")
    group.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save case file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Last statutory visit must be a real date"
    )
    expect(page.get_by_label("LA child ID")).to_have_value(CHILD_ID)
    assert_accessible(page)

    _fill_date(page, "Last statutory visit", datetime.date(2026, 10, 30))
    page.get_by_role("button", name="Save case file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case file added.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CHILD_ID)
    dates = page.locator(".govuk-summary-list").nth(1)
    for key, value in [
        ("Referral", "9 February 2026"),
        ("CP plan start", "16 March 2026"),
        ("Last statutory visit", "30 October 2026"),
    ]:
        expect(dates.locator(".govuk-summary-list__row", has_text=key)).to_contain_text(value)
    assert_accessible(page)


def _find_case_file(page: Page) -> None:
    _menu(page, "Cases")
    # The beginning of the ID finds both case files that start with it.
    page.get_by_label("LA child ID").fill("NA-7")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a case file")
    results = page.get_by_role("table", name="Case files")
    expect(results.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)

    # A whole ID opens the one case file.
    page.get_by_label("LA child ID").fill(CHILD_ID)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CHILD_ID)
    expect(page.get_by_text("Pat Practitioner")).to_be_visible()
    assert_accessible(page)


def _logs_show_the_change_and_the_read(page: Page, case: ChildCase) -> None:
    _menu(page, "Administration")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    assert_accessible(page)
    page.get_by_role("link", name="Event log").click()
    events = page.get_by_role("table", name="Events, newest first")
    created = events.locator("tbody tr", has_text="Case file added")
    expect(created).to_have_count(1)
    expect(created).to_contain_text("Case file created (Child protection)")
    expect(created).to_contain_text("Ada Admin (admin)")
    expect(created).to_contain_text("2026-03-16")
    assert CHILD_ID not in page.content()
    assert_accessible(page)

    _menu(page, "Administration")
    page.get_by_role("link", name="Access log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access log")
    assert_accessible(page)
    page.get_by_label("Who").fill("moderator")
    page.get_by_role("button", name="Apply filters").click()
    reads = page.get_by_role("table", name="Reads, newest first")
    # Newest first: the case file opened, the two the search found, the case list's rows.
    expect(reads.locator("tbody tr", has_text="Found by a search")).to_have_count(2)
    expect(reads.locator("tbody tr", has_text="Named on a list")).not_to_have_count(0)
    read = reads.locator("tbody tr").first
    expect(read).to_contain_text("Morgan Moderator (moderator)")
    expect(read).to_contain_text(str(case.public_id))
    expect(read).to_contain_text("Read")
    assert CHILD_ID not in page.content()
    assert_accessible(page)

    read.get_by_role("link", name="Case file").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CHILD_ID)
    assert_accessible(page)


def test_administrator_adds_a_case_file_a_moderator_finds_it_and_both_are_logged(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    ChildCase.objects.create(la_child_id="NA-78000", cohort=Cohort.CIN, allocated_team=p.north_a)
    admin = page_as(p.administrator)
    admin_asked = _record_urls(admin)
    _add_case_file(admin)
    case = ChildCase.objects.get(la_child_id=CHILD_ID)
    assert case.allocated_worker == p.practitioner
    assert case.cp_plan_start == datetime.date(2026, 3, 16)
    assert case.last_statutory_visit == datetime.date(2026, 10, 30)

    moderator = page_as(p.moderator)
    moderator_asked = _record_urls(moderator)
    moderator.on(
        "framenavigated",
        lambda frame: moderator_asked.append(frame.url) if frame == moderator.main_frame else None,
    )
    _find_case_file(moderator)
    assert AccessLog.objects.filter(user=p.moderator.user, target_id=str(case.public_id)).exists()

    _logs_show_the_change_and_the_read(admin, case)
    for url in [*admin_asked, *moderator_asked]:
        assert not re.search("NA-7", url), f"a child's ID went into {url}"
