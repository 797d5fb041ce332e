"""A multi-agency audit, in a real browser: the audit lead asks a partner agency to join a
thematic audit, sharing a summary of the case; the partner signs in, finds only that audit,
reads what was shared, and answers the tool. Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
SUMMARY = "Missing from home on three weekends; the school raised it in March."


def test_the_lead_asks_a_partner_to_join_and_the_partner_answers(
    p: Personas,
    page_as: PageAs,  # noqa: F811
    live_server: LiveServer,
) -> None:
    thematic = Audit.objects.create(
        case=p.case,
        tool_version=p.quality_tool,
        audit_type=AuditType.THEMATIC,
        theme="Exploitation",
        status=AuditStatus.IN_PROGRESS,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
    )
    lead = page_as(p.moderator)
    lead.goto(live_server.url + reverse("audits:detail", args=[thematic.public_id]))
    lead.get_by_role("link", name="Ask a partner agency to join this audit").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(
        "Ask a partner agency to join the audit"
    )
    assert_accessible(lead)
    lead.get_by_role("button", name="Give them the audit").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Select a partner agency auditor")
    assert_accessible(lead)
    lead.get_by_label("Partner agency auditor").select_option(
        label="Pam Partner (Northshire Police)"
    )
    lead.get_by_label("What you share with them about the case").fill(SUMMARY)
    lead.get_by_role("button", name="Give them the audit").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Audit given to Pam Partner")

    partner = page_as(p.partner)
    expect(partner.get_by_role("heading", level=1)).to_have_text("Your multi-agency audits")
    assert_accessible(partner)
    partner.get_by_role("table").get_by_role("link").click()
    expect(partner.get_by_text(SUMMARY)).to_be_visible()
    expect(partner.locator("body")).not_to_contain_text(p.case.la_child_id)
    assert_accessible(partner)
    partner.get_by_role("link", name="Start the audit").click()
    partner.locator("input[type=radio]").first.check()
    partner.get_by_role("button", name="Save draft").click()
    expect(partner.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    assert_accessible(partner)
    partner.get_by_role("button", name="Submit").click()
    expect(partner.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(partner)
    assert p.case.la_child_id not in partner.content()
