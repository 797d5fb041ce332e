"""The inspection pack in a real browser: an audit lead opens it from the menu, asks for a
period that ends before it starts and is told so, then picks a period and downloads the
workbook, which lists the audit with its case; a senior leader downloads the audits CSV with
JavaScript off. Every page visited with JavaScript passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.reports.tests.inspection_pack_factories import audit_of, rows_by, sheets_of
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def _fill_period(page: Page, starts_on: datetime.date, ends_on: datetime.date) -> None:
    for legend, day in (("From", starts_on), ("To", ends_on)):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))


def test_an_audit_lead_is_told_of_a_bad_period_then_downloads_the_pack(
    p: Personas,
    page_as: PageAs,  # noqa: F811
    tmp_path: Path,
) -> None:
    audit = audit_of(p, overall="requires_improvement")
    today = timezone.localdate()
    page = page_as(p.moderator)
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Inspection pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inspection pack")
    expect(page).to_have_title(re.compile(r"^Inspection pack"))
    assert_accessible(page)

    _fill_period(page, today, today - datetime.timedelta(days=30))
    page.get_by_role("button", name="Download the inspection pack").click()
    expect(page).to_have_title(re.compile(r"^Error: Inspection pack"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The start of the period must be the same as or before its end")
    assert_accessible(page)

    _fill_period(page, today - datetime.timedelta(days=30), today)
    page.get_by_label("Excel workbook (xlsx)").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the inspection pack").click()
    download = download_info.value
    first = today - datetime.timedelta(days=30)
    assert download.suggested_filename == (
        f"inspection-pack-{first:%Y-%m-%d}-to-{today:%Y-%m-%d}.xlsx"
    )
    saved = tmp_path / "pack.xlsx"
    download.save_as(saved)
    sheets = sheets_of(saved.read_bytes())
    assert list(sheets) == ["Summary", "Audits", "Actions"]
    row = rows_by(sheets["Audits"], "Audit reference")[audit.reference]
    assert row["Case reference (LA child ID)"] == p.case.la_child_id
    assert row["Overall grade that counts"] == "Requires improvement"
    # The child's ID went into the file only: never the address or the title.
    assert p.case.la_child_id not in page.url
    assert p.case.la_child_id not in page.title()


def test_the_pack_downloads_with_javascript_off(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    audit = audit_of(p)
    page = new_page(javascript=False)
    url = live_server.url
    assert p.senior_leader.user is not None
    sign_in(page, url, p.senior_leader.user.username)
    page.goto(f"{url}/inspection-pack/")
    page.get_by_label("CSV: every audit, one row each").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the inspection pack").click()
    saved = tmp_path / "pack.csv"
    download_info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    # (axe needs JavaScript: the same page is checked in the journey above.)
    assert audit.reference in text
