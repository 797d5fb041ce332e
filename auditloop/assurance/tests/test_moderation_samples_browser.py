"""An audit lead draws a cycle's moderation sample and gives a moderation its moderator, in a
real browser. Every page visited passes axe (WCAG 2.2 AA); no child's ID enters a URL."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.assurance.tests.moderation_sample_factories import cycle_audit
from auditloop.audits.models import AuditType
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import Notification
from auditloop.sampling.models import Cycle
from auditloop.sampling.services.cycles import cycle_create
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
CYCLE_NAME = "North, this half year"


def _cycle(p: Personas) -> Cycle:
    """North's cycle, moderating every Inadequate and Outstanding audit and none at random,
    with an Inadequate audit, two Good ones, and one the team manager asked about."""
    cycle = cycle_create(
        name=CYCLE_NAME,
        services=[p.north],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.compliance_tool, p.quality_tool],
        audit_types=[AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE],
        auditors=[p.auditor, p.team_manager],
        by=p.moderator,
    )
    cycle.moderation_percent = 0
    cycle.save(update_fields=["moderation_percent"])
    case = ChildCase.objects.create(
        la_child_id="77777", cohort=Cohort.CIN, allocated_team=p.north_b
    )
    cycle_audit(p, cycle, grade_code="inadequate")
    cycle_audit(p, cycle, grade_code="good", case=case)
    cycle_audit(p, cycle, grade_code="good")
    return cycle


def test_an_audit_lead_draws_the_moderation_sample_and_gives_it_a_moderator(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    _cycle(p)
    page = page_as(p.moderator)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=CYCLE_NAME, exact=True).click()
    page.get_by_role("link", name="Moderation", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    expect(page.get_by_text("3 audits submitted since the last sample")).to_be_visible()
    assert_accessible(page)

    # A seed below 0 is refused, and the page says why.
    page.get_by_label("Seed", exact=True).fill("-5")
    page.get_by_role("button", name="Draw the moderation sample").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The seed must be 0 or more")
    assert_accessible(page)

    page.get_by_label("Seed", exact=True).fill("4821")
    page.get_by_role("button", name="Draw the moderation sample").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Moderation sample drawn: 1 audit chosen from 3."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How this moderation sample was drawn"
    )
    expect(page.get_by_text("4821")).to_be_visible()
    chosen = page.get_by_role("table", name="The audits chosen")
    expect(chosen).to_contain_text("Graded Inadequate")
    expect(chosen).to_contain_text("Waiting for a moderator")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the cycle's moderation").click()
    table = page.get_by_role("table", name="Audits chosen for moderation")
    table.get_by_role("link", name=re.compile("^Give it a moderator")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Give the audit a moderator")
    assert_accessible(page)

    # Sent without a choice, the form asks for one.
    page.get_by_role("button", name="Give the audit to this moderator").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a moderator")
    assert_accessible(page)

    moderator = page.get_by_label("Moderator", exact=True)
    offered = moderator.locator("option").all_inner_texts()
    assert not any(name.startswith(("Alex Auditor", "Mary Manager")) for name in offered)
    moderator.select_option(label="Lee Leader (Senior leader, no team)")
    page.get_by_role("button", name="Give the audit to this moderator").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Lee Leader has been given the audit to moderate, and told."
    )
    row = page.get_by_role("table", name="Audits chosen for moderation").get_by_role("row").nth(1)
    expect(row).to_contain_text("Regrading")
    expect(row).to_contain_text("Lee Leader")
    assert_accessible(page)

    moderation = Moderation.objects.get()
    assert (moderation.reason, moderation.status, moderation.moderator) == (
        ModerationReason.INADEQUATE,
        ModerationStatus.REGRADING,
        p.senior_leader,
    )
    assert Notification.objects.filter(recipient=p.senior_leader.user).exists()
    assert [m.subject for m in mail.outbox] == ["An audit for you to moderate"]
    assert not any(p.case.la_child_id in url or "77777" in url for url in asked)
