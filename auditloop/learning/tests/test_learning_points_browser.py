"""Learning points and theme suggestions in a real browser: an auditor marks a learning point
with themes on an audit and sees it on the audit's page; an audit lead makes theme suggestions
for the untagged notes, reads one (its sample notes redacted), edits its label and accepts it.
Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.models import AuditStatus
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.learning.defaults import default_themes_install
from auditloop.learning.models import LearningPoint, Theme
from auditloop.learning.tests.point_factories import point_in
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_an_auditor_marks_a_learning_point_with_themes_on_an_audit(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    # A browser test's database is emptied after each test, the migration's themes with it.
    default_themes_install()
    auditor = page_as(p.auditor)
    auditor.get_by_role("link", name="Audits", exact=True).click()
    auditor.locator(f"a[href='/audits/{audit.public_id}/']").first.click()
    expect(auditor.get_by_role("heading", name="Learning points")).to_be_visible()
    assert_accessible(auditor)

    auditor.get_by_role("link", name="Mark a learning point").click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Mark a learning point")
    assert_accessible(auditor)
    auditor.get_by_role("button", name="Mark the learning point").click()
    expect(auditor.locator(".govuk-error-summary")).to_contain_text("Enter the learning point")
    assert_accessible(auditor)

    auditor.get_by_role("radio", name="Area for development").check()
    auditor.get_by_label("Which question is it about?").select_option(index=2)
    auditor.get_by_label("The learning point").fill(
        "The child was not seen alone at the last three visits and no reason is recorded."
    )
    auditor.get_by_role("checkbox", name="Voice of the child").check()
    auditor.get_by_role("checkbox", name="Drift and delay").check()
    auditor.get_by_role("button", name="Mark the learning point").click()
    expect(auditor.locator(".govuk-notification-banner")).to_contain_text("Learning point marked")
    expect(auditor.get_by_text("Drift and delay, Voice of the child")).to_be_visible()
    assert_accessible(auditor)

    point = LearningPoint.objects.get()
    assert {t.name for t in point.themes.all()} == {"Voice of the child", "Drift and delay"}
    auditor.get_by_role("link", name="Back to the audit").click()
    expect(auditor.get_by_text("Area for development").first).to_be_visible()


def test_an_audit_lead_makes_theme_suggestions_and_accepts_one(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    default_themes_install()
    for text in (
        "Housing damp and overcrowded; Pat Practitioner did not invite the housing officer.",
        "Overcrowded housing not assessed; damp bedroom for the children.",
        "Damp, overcrowded housing is not in the plan.",
    ):
        point_in(audit, text=text)
    lead = page_as(p.moderator)
    lead.get_by_role("navigation").get_by_role("link", name="Key messages").click()
    lead.get_by_role("main").get_by_role("link", name="Themes").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Themes")
    assert_accessible(lead)

    lead.get_by_role("link", name="Theme suggestions").click()
    expect(lead.get_by_text("There are no open suggestions.")).to_be_visible()
    lead.get_by_role("button", name="Make suggestions").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("1 theme suggestion")
    assert_accessible(lead)

    lead.get_by_role("link", name=re.compile("^Housing")).click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Theme suggestion")
    expect(lead.get_by_text("[social worker] did not invite")).to_be_visible()
    expect(lead.get_by_text("Pat Practitioner")).to_have_count(0)
    assert_accessible(lead)

    lead.get_by_label("Name of the new theme").fill("Poor housing conditions")
    lead.get_by_role("button", name="Accept and tag the notes").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Poor housing conditions")
    assert_accessible(lead)
    theme = Theme.objects.get(name="Poor housing conditions")
    assert theme.learning_points.count() == 3
