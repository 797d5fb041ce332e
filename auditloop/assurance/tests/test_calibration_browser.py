"""A calibration exercise in a real browser: an audit lead sets one case for two auditors,
each answers it with the normal audit form and submits, and the comparison appears only once
both have. Every page visited passes axe (WCAG 2.2 AA); the child's ID never enters a URL."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from auditloop.assurance.models import CalibrationExercise
from auditloop.assurance.tests.calibration_factories import second_auditor
from auditloop.audits.models import AuditStatus
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def _set_the_exercise(page: Page) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.get_by_role("link", name="Calibration", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calibration exercises")
    assert_accessible(page)

    page.get_by_role("link", name="Set an exercise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which child\u2019s case?")
    page.get_by_label("LA child ID").fill("00123")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set the exercise")
    assert_accessible(page)

    # One auditor is not enough to compare: refused, saying so.
    page.get_by_label("Title").fill("Spring calibration")
    page.get_by_label("Audit tool").select_option(label="Quality deep dive, version 1")
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("checkbox", name=re.compile("^Alex Auditor")).check()
    page.get_by_role("button", name="Set the exercise").click()
    expect(page.get_by_role("link", name=re.compile("Choose two or more auditors"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("checkbox", name=re.compile("^Bea Auditor")).check()
    page.get_by_role("button", name="Set the exercise").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Calibration exercise set for 2 auditors"
    )
    expect(page.get_by_text("Waiting for 2 of 2", exact=True)).to_be_visible()
    assert_accessible(page)
    assert not [url for url in asked if "00123" in url]


def _answer_and_submit(page: Page, grade: str) -> None:
    """The auditor opens the exercise from their list, answers every domain and the overall
    grade with `grade` (a grade's code), and submits through the normal audit form."""
    page.get_by_role("link", name="Calibration", exact=True).click()
    page.get_by_role("link", name="Spring calibration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring calibration")
    page.get_by_role("link", name="Start your audit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Answer the audit")
    for radio in page.locator(f'input[type="radio"][value="{grade}"]').all():
        radio.check()
    page.get_by_label(re.compile("^Strengths")).fill("Visits are regular and purposeful.")
    page.get_by_label(re.compile("^Areas for development")).fill("The plan lists tasks.")
    page.get_by_label(re.compile("^Impact on the child")).fill("The child is safer at home.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Audit submitted")
    expect(page.get_by_text("calibration exercise")).to_be_visible()
    assert_accessible(page)


def test_a_lead_sets_an_exercise_and_the_comparison_appears_once_both_have_submitted(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    other = second_auditor(p)
    lead = page_as(p.moderator)
    _set_the_exercise(lead)
    exercise = CalibrationExercise.objects.get()

    first = page_as(p.auditor)
    _answer_and_submit(first, "outstanding")
    first.get_by_role("link", name="calibration exercise").click()
    expect(first.get_by_text("Waiting for 1 of 2", exact=True)).to_be_visible()
    expect(first.get_by_role("heading", name="The answers compared")).to_have_count(0)
    # Bea's entry is not offered to Alex while she has not submitted.
    expect(first.get_by_role("link", name="Open the audit by Bea Auditor")).to_have_count(0)
    expect(first.get_by_role("link", name="Open the audit by Alex Auditor")).to_be_visible()
    assert_accessible(first)

    second = page_as(other)
    _answer_and_submit(second, "requires_improvement")
    assert {e.audit.status for e in exercise.entries.all()} == {AuditStatus.SUBMITTED}

    first.reload()
    expect(first.get_by_role("heading", name="The answers compared")).to_be_visible()
    domain = first.get_by_role("row", name=re.compile(r"^D1 "))
    expect(domain).to_contain_text("Outstanding")
    expect(domain).to_contain_text("Requires improvement")
    expect(domain).to_contain_text("Differ by 2 grades")
    expect(first.locator(".govuk-warning-text")).to_contain_text("two or more grades")
    assert_accessible(first)

    lead.reload()
    expect(lead.get_by_text("Compared", exact=True)).to_be_visible()
    expect(lead.get_by_role("heading", name="Each auditor\u2019s evidence")).to_be_visible()
    assert_accessible(lead)
