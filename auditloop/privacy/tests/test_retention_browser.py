"""A retention dry run and run, in a real browser: the Data Protection Officer puts a case on
legal hold, reads what a run would do today, is asked to confirm, runs it, and reads what it
did. Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.models import Audit
from auditloop.privacy.models import LegalHold
from auditloop.privacy.tests.retention_factories import SECRET, old_audit, old_cycle
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def test_the_dpo_holds_a_case_then_runs_retention_after_a_dry_run(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    cycle = old_cycle(p, audits=2)
    old_audit(p, cycle.cycle, case=p.outsider_case)
    page = page_as(p.data_protection)

    page.get_by_role("link", name="Data protection").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection")
    assert_accessible(page)

    page.get_by_role("link", name="legal holds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal holds")
    assert_accessible(page)
    page.get_by_role("button", name="Put a case on legal hold").click()
    # Sent with nothing filled in, the form says what is missing.
    page.get_by_role("button", name="Put on hold").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the LA child ID of the case to hold."
    )
    assert_accessible(page)
    page.get_by_label("LA child ID").fill(p.outsider_case.la_child_id)
    page.get_by_label("Why is the case on hold?").fill("Claim ref 2026/14")
    page.get_by_role("button", name="Put on hold").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("on legal hold")
    expect(page.get_by_role("table", name="Cases on hold")).to_contain_text("Claim ref 2026/14")
    assert p.outsider_case.la_child_id not in page.url
    assert_accessible(page)

    page.get_by_role("link", name="Retention schedule").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention schedule")
    assert_accessible(page)
    page.get_by_role("link", name="See what a run would do today").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Retention: what a run would do today"
    )
    audits = page.get_by_role("row", name=re.compile(r"^Audits "))
    expect(audits.get_by_role("cell").nth(1)).to_have_text("2")
    expect(audits.get_by_role("cell").nth(2)).to_have_text("1")
    assert_accessible(page)

    # The button asks for a confirmation first.
    page.get_by_role("button", name="Run retention now").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that you understand the records will go."
    )
    assert_accessible(page)
    assert Audit.objects.filter(strengths=SECRET).count() == 3

    page.get_by_label(re.compile("I understand that the records listed")).check()
    page.get_by_role("button", name="Run retention now").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Retention run finished: 2 audits anonymised"
    )
    expect(page.get_by_text("Nothing is due today")).to_be_visible()
    assert_accessible(page)

    # The held case's audit is untouched; the others keep no free text.
    assert list(Audit.objects.filter(strengths=SECRET).values_list("case", flat=True)) == [
        p.outsider_case.pk
    ]
    assert LegalHold.objects.get().is_active
