"""A revisit in a real browser: an audit lead schedules it from an Inadequate audit's page (an
error first), the auditor answers it with the earlier answer above each question, and once it
is submitted the audit page and the revisits page show what changed. Every page visited passes
axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.models import Audit
from auditloop.audits.tests.revisit_factories import earlier_audit, questions_of
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
REASON = "Visits had lapsed and the plan had drifted: check both are back on track."


def _schedule(page: Page, earlier: Audit) -> None:
    page.goto(f"/audits/{earlier.public_id}/")
    page.get_by_role("link", name="Schedule a revisit of this audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a revisit")
    expect(page).to_have_title(re.compile(r"^Schedule a revisit"))
    assert_accessible(page)
    page.get_by_role("button", name="Schedule the revisit").click()
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_role("link", name="Enter why the audit is to be revisited")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why is this audit to be revisited?").fill(REASON)
    page.get_by_role("button", name="Schedule the revisit").click()
    expect(page.get_by_text("Revisit scheduled and assigned to Alex Auditor.")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    assert_accessible(page)


def _answer(page: Page, revisit: Audit, codes: list[str]) -> None:
    page.goto(f"/audits/{revisit.public_id}/")
    page.get_by_role("link", name="Start the audit").click()
    earlier_a1 = page.locator(".govuk-inset-text", has_text="A1 at the earlier audit:")
    expect(earlier_a1).to_contain_text("No")
    expect(earlier_a1).to_contain_text("The last recorded visit is outside the required interval.")
    assert_accessible(page)
    for code in codes:
        page.get_by_role("group", name=re.compile(rf"^{code} ")).get_by_label("Yes").check()
    page.get_by_role("group", name="Overall grade").get_by_label("Good").check()
    page.get_by_label("Strengths").fill("Visits are back to the plan's frequency.")
    page.get_by_label("Areas for development").fill("Keep the chronology current.")
    page.get_by_label("Impact on the child").fill("The child is seen regularly and says so.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Audit submitted.")).to_be_visible()


def test_a_lead_schedules_a_revisit_the_auditor_answers_it_and_its_change_shows(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    earlier = earlier_audit(p)
    lead = page_as(p.moderator)
    _schedule(lead, earlier)
    revisit = Audit.objects.get(revisit_of=earlier)

    auditor = page_as(p.auditor)
    _answer(auditor, revisit, [q.code for q in questions_of(p.compliance_tool)])
    a1 = auditor.get_by_role("row", name=re.compile(r"^A1 "))
    expect(a1).to_contain_text("Better (No, now Yes)")
    expect(auditor.get_by_text("Better by 2 grades (Inadequate, now Good)")).to_be_visible()
    assert_accessible(auditor)

    lead.goto("/revisits/")
    overall = lead.get_by_role("table", name=re.compile(r"^Overall grade: 1 revisit"))
    expect(overall).to_contain_text("1 (100%)")
    expect(lead.get_by_text("Descriptive figures only. Only 1 pair changed")).to_be_visible()
    row = lead.get_by_role("row", name=re.compile(p.case.la_child_id))
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text("Better by 2 grades (Inadequate, now Good)")
    assert_accessible(lead)
