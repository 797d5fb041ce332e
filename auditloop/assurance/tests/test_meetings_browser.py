"""Recording a moderation meeting in a real browser: an audit lead names an audit by its
reference, checks it (the child's ID shown to them), saves, and an attendee reads the record.
Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from auditloop.assurance.models import ModerationMeeting
from auditloop.assurance.tests.meeting_factories import submitted_audit
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_a_lead_records_an_audit_group_meeting_and_an_attendee_reads_it(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    audit = submitted_audit(p)
    lead = page_as(p.moderator)
    lead.get_by_role("link", name="Moderation meetings").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Moderation meetings")
    assert_accessible(lead)

    lead.get_by_role("link", name="Record a meeting").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Record a moderation meeting")
    assert_accessible(lead)

    lead.get_by_role("radio", name="Audit group moderation meeting").check()
    held = timezone.localdate() - datetime.timedelta(days=3)
    lead.get_by_label("Day").fill(str(held.day))
    lead.get_by_label("Month").fill(str(held.month))
    lead.get_by_label("Year").fill(str(held.year))
    lead.get_by_role("checkbox", name=re.compile("^Alex Auditor")).check()
    lead.get_by_role("checkbox", name=re.compile("^Morgan Moderator")).check()
    lead.get_by_label("Learning noted").fill("Auditors grade plans on their outcomes.")
    lead.locator("#id_item1-reference").fill(audit.reference)
    lead.locator("#id_item1-outcome").select_option(label="Grade confirmed")
    lead.get_by_role("button", name="Check the audits").click()
    expect(lead.get_by_text(f"Found: case {p.case.la_child_id}")).to_be_visible()
    assert_accessible(lead)

    # An unknown reference is named on its row.
    lead.locator("#id_item2-reference").fill("ABCDEF12")
    lead.locator("#id_item2-outcome").select_option(label="Grade changed")
    lead.get_by_role("button", name="Save the meeting").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text("No audit with the reference")
    assert_accessible(lead)

    lead.locator("#id_item2-reference").fill("")
    lead.locator("#id_item2-outcome").select_option(index=0)
    lead.get_by_role("button", name="Save the meeting").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("meeting recorded")
    expect(lead.get_by_text(f"Case {p.case.la_child_id}", exact=False)).to_be_visible()
    assert_accessible(lead)
    meeting = ModerationMeeting.objects.get()
    assert meeting.items.get().audit == audit

    # The auditor attended, but may not read this audit: no link, no child's ID.
    attendee = page_as(p.auditor)
    attendee.get_by_role("link", name="Moderation meetings").click()
    attendee.get_by_role("link", name=re.compile("Audit group moderation meeting")).click()
    expect(attendee.get_by_text("An audit you may not read")).to_be_visible()
    expect(attendee.get_by_text(p.case.la_child_id)).to_have_count(0)
    assert_accessible(attendee)
