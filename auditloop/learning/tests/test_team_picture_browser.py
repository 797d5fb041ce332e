"""The team picture and My feedback in a real browser: a team manager opens their team's
picture from the menu, reads a suppressed figure and why, chooses a cycle too small to show,
and downloads the CSV, where the same figure is suppressed; a practitioner opens My feedback.
Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.tests.followup_factories import make_audit
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.learning.tests.test_feedback import feedback_given
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def test_a_team_manager_reads_a_suppressed_figure_on_the_page_and_in_the_csv(
    p: Personas,
    page_as: PageAs,  # noqa: F811
    tmp_path: Path,
) -> None:
    spring = cycle_of(p, "Spring 2026", datetime.date(2026, 1, 1))
    autumn = cycle_of(p, "Autumn 2026", datetime.date(2026, 7, 1))
    for _ in range(3):
        counted_audit(p, spring)
    for _ in range(8):
        counted_audit(p, autumn, overall="good")
    counted_audit(p, autumn, overall="inadequate")

    page = page_as(p.team_manager)
    page.get_by_role("navigation").get_by_role("link", name="Team picture").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team picture: North A")
    expect(page).to_have_title(re.compile(r"^Team picture: North A"))
    expect(page.get_by_text("9 audits of the team count in this cycle.")).to_be_visible()
    overall = page.get_by_role("table", name="Overall grades by cycle")
    spring_row = overall.get_by_role("row", name=re.compile(r"^Spring 2026"))
    expect(spring_row.get_by_role("cell").first).to_contain_text("[c]")
    expect(
        page.get_by_text(re.compile(r"^\[c\] Not shown so that no one can be identified")).first
    ).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these tables (CSV)").click()
    download = download_info.value
    assert (
        download.suggested_filename == f"team-picture-{p.north_a.public_id.hex[:8]}-2026-07-01.csv"
    )
    saved = tmp_path / "picture.csv"
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    spring_line = next(r for r in rows if r and r[0].startswith("Spring 2026"))
    assert spring_line[1:] == ["[c]"] * (len(spring_line) - 1)
    assert any(r and r[0].startswith("[c] Not shown") for r in rows)

    page.get_by_label("Cycle").select_option(label="Spring 2026")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_text("Fewer than 5 audits: not shown so that no one can be identified.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Grades by domain")).to_have_count(0)
    assert_accessible(page)


def test_a_practitioner_opens_my_feedback_from_the_menu(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    feedback_given(p, make_audit(p))
    page = page_as(p.practitioner)
    page.get_by_role("navigation").get_by_role("link", name="My feedback").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My feedback")
    expect(page.get_by_text("The plan drifted for three months.")).to_be_visible()
    expect(page.get_by_text("Update the chronology")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Dip sample audit, submitted")).click()
    expect(page.get_by_role("link", name=re.compile(r"^Read the whole audit"))).to_be_visible()


def test_a_team_manager_reads_the_feedback_of_someone_they_line_manage(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    feedback_given(p, make_audit(p))
    page = page_as(p.team_manager)
    page.get_by_role("navigation").get_by_role("link", name="My feedback").click()
    page.get_by_role("link", name=p.practitioner.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(p.practitioner.name)
    expect(page.get_by_text("The plan drifted for three months.")).to_be_visible()
    assert_accessible(page)
