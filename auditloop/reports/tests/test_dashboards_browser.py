"""The dashboards in a real browser: an audit lead opens their dashboard from the menu, picks
an earlier cycle, reads a chart and the table beside it, and downloads that table as CSV; a
board member opens theirs and finds the issued committee review and the published key
messages, with no live figure. Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.reports.tests.dashboard_factories import issued_review, published_message
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]

TODAY = timezone.localdate()


def test_a_lead_picks_a_cycle_reads_a_chart_and_its_table_and_downloads_it(
    p: Personas,
    page_as: PageAs,  # noqa: F811
    tmp_path: Path,
) -> None:
    current = cycle_of(p, "Current cycle", TODAY - datetime.timedelta(days=30))
    earlier = cycle_of(p, "Earlier cycle", TODAY - datetime.timedelta(days=212))
    for team in (p.north_a, p.north_b):
        for _ in range(6):
            counted_audit(p, current, team=team)
    for _ in range(6):
        counted_audit(p, earlier, team=p.north_b, overall="inadequate")
    counted_audit(p, earlier, team=p.south_a)  # another service's: never on North's page

    page = page_as(p.moderator)
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_text("Current cycle: 12 audits count in this cycle so far.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Cycle").select_option(value=str(earlier.public_id))
    page.get_by_role("button", name="Show this cycle").click()
    expect(page.get_by_text("Earlier cycle: 6 audits count in this cycle.")).to_be_visible()
    block = page.locator("#block-grades-overall")
    expect(block.locator("svg.app-chart")).to_be_visible()
    table = block.get_by_role("table", name="Overall grades by team")
    north_b = table.get_by_role("row", name=re.compile(r"^North B"))
    expect(north_b).to_contain_text("6")
    expect(table.get_by_role("row", name=re.compile(r"^South A"))).to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as download_info:
        block.get_by_role("link", name=re.compile(r"^CSV")).click()
    download = download_info.value
    assert download.suggested_filename == (
        f"dashboard-grades-overall-{earlier.starts_on:%Y-%m-%d}.csv"
    )
    saved = tmp_path / "grades.csv"
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert ["Cycle", "Earlier cycle"] in rows
    line = next(r for r in rows if r and r[0] == "North B")
    # Six audits, all Inadequate: the same figures as the page's row.
    assert line[1:] == ["0", "0", "0", "6", "6", "0%"]
    assert not any(r and r[0] == "South A" for r in rows)


def test_a_board_member_reads_their_dashboard(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    cycle = cycle_of(p, "Spring cycle", TODAY - datetime.timedelta(days=200))
    for _ in range(6):
        counted_audit(p, cycle, team=p.north_a)
    review = issued_review(cycle, p.moderator, issued_on=TODAY)
    published_message("What the audits found in spring", cycle, p.moderator)

    page = page_as(p.board_member)
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    reviews = page.get_by_role("table", name="Cycle reviews issued to the committee")
    expect(reviews.get_by_role("link", name=re.compile(r"^Spring cycle"))).to_have_attribute(
        "href", f"/cycle-reviews/{review.public_id}/"
    )
    expect(page.get_by_role("link", name="What the audits found in spring")).to_be_visible()
    expect(page.locator("svg")).to_have_count(0)
    expect(page.get_by_text("Pat Practitioner")).to_have_count(0)
    assert_accessible(page)


def test_a_lead_reaches_the_targets_from_the_dashboard_and_sets_one(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    cycle_of(p, "Current cycle", TODAY - datetime.timedelta(days=30))
    page = page_as(p.senior_leader)
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Targets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Targets")
    expect(page.get_by_text("No target has been set yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Set a target").click()
    page.get_by_label("At least this share Good or better").check()
    page.get_by_label("Where it applies").select_option(label="North")
    page.get_by_label("Share of audits (%)").fill("140")
    page.get_by_role("button", name="Set the target").click()
    expect(page).to_have_title(re.compile(r"^Error: Set a target"))
    expect(page.get_by_role("link", name="The target must be 100 or less")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Share of audits (%)").fill("40")
    page.get_by_role("button", name="Set the target").click()
    expect(page.get_by_text("Target set: At least 40% Good or better.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(r"^North"))
    expect(row).to_contain_text("At least 40% Good or better")
    assert_accessible(page)


def test_a_lead_follows_a_long_tables_totals_to_the_whole_table_and_back(
    p: Personas,
    page_as: PageAs,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two teams stand for the dozens of a large council's services.
    monkeypatch.setattr("auditloop.reports.views.dashboards.DASHBOARD_TABLE_ROWS", 1)
    current = cycle_of(p, "Current cycle", TODAY - datetime.timedelta(days=30))
    for team in (p.north_a, p.north_b):
        for _ in range(6):
            counted_audit(p, current, team=team)

    page = page_as(p.moderator)
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    block = page.locator("#block-grades-overall")
    expect(block.get_by_role("row", name=re.compile(r"^Total"))).to_contain_text("12")
    expect(block.get_by_role("row", name=re.compile(r"^North B"))).to_have_count(0)
    assert_accessible(page)

    expect(block.get_by_role("table", name="Overall grades by team: totals")).to_be_visible()
    block.get_by_role("link", name="Overall grades by team", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overall grades")
    expect(page.locator("svg.app-chart")).to_be_visible()
    table = page.get_by_role("table", name="Overall grades by team")
    expect(table.get_by_role("row", name=re.compile(r"^North B"))).to_contain_text("6")
    assert_accessible(page)

    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
