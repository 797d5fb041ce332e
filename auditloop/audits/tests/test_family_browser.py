"""The child's and family's view in a real browser: the auditor records a contact, the lead
makes an online form link, and the family answers it with JavaScript off; the link then
shows only the plain page. Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.models import AuditStatus, AuditType, FamilyContact
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_the_family_is_heard_by_the_auditor_and_through_the_online_form(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
    new_page: Callable[..., Page],  # noqa: F811
) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS, audit_type=AuditType.DEEP_DIVE)
    audit.tool_version = p.quality_tool
    audit.save(update_fields=["tool_version"])

    auditor = page_as(p.auditor)
    auditor.goto(f"/audits/{audit.public_id}/")
    auditor.get_by_role("link", name="Read or record the child's and family's view").click()
    auditor.get_by_role("link", name="Record contact with the family").click()
    auditor.get_by_role("button", name="Record the contact").click()
    expect(auditor.locator(".govuk-error-summary")).to_contain_text(
        "Choose who the contact was with"
    )
    assert_accessible(auditor)
    auditor.get_by_role("group", name="Who was the contact with?").get_by_label(
        "Parent or carer"
    ).check()
    auditor.get_by_role("group", name="Was contact made?").get_by_label("No").check()
    auditor.get_by_label("If contact was not made, why not?").fill("Three calls unanswered.")
    auditor.get_by_role("button", name="Record the contact").click()
    expect(auditor.locator(".govuk-notification-banner")).to_contain_text("Contact with the family")
    expect(auditor.get_by_text("Three calls unanswered.")).to_be_visible()
    assert_accessible(auditor)

    audit.status = AuditStatus.SUBMITTED
    audit.save(update_fields=["status"])
    lead = page_as(p.moderator)
    lead.goto(f"/audits/{audit.public_id}/family/")
    lead.get_by_role("link", name="Send the family an online form").click()
    lead.get_by_label("Child or young person").check()
    lead.get_by_role("button", name="Make the link").click()
    link = lead.locator("#family-link").inner_text()
    assert "/your-view/" in link
    assert_accessible(lead)

    # axe runs in the page, so the pages are checked with JavaScript on; the family answers
    # with it off, as the form must work without it.
    checker = new_page()
    checker.goto(link)
    expect(checker.get_by_role("heading", name="Tell us what you think")).to_be_visible()
    assert_accessible(checker)
    family = new_page(javascript=False)
    family.goto(link)
    family.get_by_role("group", name="Did you feel listened to?").get_by_label("Partly").check()
    family.get_by_label("What would have helped?").fill("Knowing what happens next.")
    family.get_by_role("button", name="Send your answers").click()
    expect(family.get_by_role("heading", name="Thank you")).to_be_visible()
    family.goto(link)
    expect(family.get_by_role("heading", name="This link does not work")).to_be_visible()
    checker.goto(link)
    expect(checker.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(checker)

    assert FamilyContact.objects.filter(audit=audit, method="online_form").count() == 1
    lead.goto(f"/audits/{audit.public_id}/family/")
    expect(lead.get_by_text("Knowing what happens next.")).to_be_visible()
    expect(lead.get_by_role("cell", name="Answered")).to_be_visible()
