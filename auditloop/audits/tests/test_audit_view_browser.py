"""The audit's own pages in a real browser: a deep dive's meeting date (the GOV.UK date input,
its error, and the date on the audit), the compliance score in the list and on the audit, and a
revisit's links both ways. Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from auditloop.audits.models import AuditType
from auditloop.audits.services.audits import audit_submit
from auditloop.audits.services.planning import audit_create
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def test_auditor_records_when_the_deep_dive_meeting_was_held(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    page = page_as(p.auditor)
    page.goto(f"/audits/{audit.public_id}/answer/")
    meeting = page.get_by_role("group", name="Date of the deep dive meeting")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    meeting.get_by_label("Day").fill(str(tomorrow.day))
    meeting.get_by_label("Month").fill(str(tomorrow.month))
    meeting.get_by_label("Year").fill(str(tomorrow.year))
    page.get_by_role("button", name="Save draft").click()
    error = "The date of the deep dive meeting must be today or in the past"
    expect(page.locator(".govuk-error-summary").get_by_role("link", name=error)).to_be_visible()
    assert_accessible(page)

    today = timezone.localdate()
    meeting = page.get_by_role("group", name=re.compile("Date of the deep dive meeting"))
    meeting.get_by_label("Day").fill(str(today.day))
    meeting.get_by_label("Month").fill(str(today.month))
    meeting.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")

    page.goto(f"/audits/{audit.public_id}/")
    expect(
        page.get_by_text(f"The deep dive meeting was held on {today:%-d %B %Y}.")
    ).to_be_visible()
    assert_accessible(page)


def test_lead_reads_scores_and_follows_a_revisit_both_ways(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    earlier = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    revisit = audit_create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.REVISIT,
        auditor=p.auditor,
        by=p.moderator,
        revisit_of=earlier,
    )
    page = page_as(p.moderator)
    page.goto("/audits/")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Compliance score")).to_be_visible()
    expect(table.get_by_role("cell", name="100%")).to_have_count(1)
    expect(table.get_by_role("cell", name="Not scored")).to_have_count(1)
    assert_accessible(page)

    page.goto(f"/audits/{earlier.public_id}/")
    expect(page).to_have_title(re.compile(r"^Dip sample audit \u2013 "))
    expect(page.get_by_text("100%")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Revisit audit, planned ")).click()
    expect(page).to_have_url(re.compile(str(revisit.public_id)))
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Dip sample audit, submitted ")).click()
    expect(page).to_have_url(re.compile(str(earlier.public_id)))
