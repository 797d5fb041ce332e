"""The journeys of the first audit, in a real browser: the auditor answers and submits, the
practitioner reads the feedback and replies, the team manager acknowledges an unsafe-child flag.
Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.models import Audit, AuditStatus, Escalation, FeedbackReply
from auditloop.audits.services.audits import audit_submit
from auditloop.audits.services.escalations import escalation_raise
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def test_auditor_answers_and_submits_an_audit(p: Personas, page_as: PageAs) -> None:
    audit = planned_audit(p)
    page = page_as(p.auditor)
    assert_accessible(page)

    assigned = page.get_by_role("table", name=re.compile("Audits assigned to you"))
    assigned.get_by_role("link", name=re.compile("Dip sample")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dip sample audit")
    assert_accessible(page)

    page.get_by_role("link", name="Start the audit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Answer the audit")
    assert_accessible(page)

    # Submitting with nothing answered is refused, and says why.
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    for check in page.locator('input[type="radio"][value="yes"]').all():
        check.check()
    page.get_by_role("group", name="Overall grade").get_by_label("Good", exact=True).check()
    page.get_by_label(re.compile("^Strengths")).fill("Visits are regular and the child is seen.")
    page.get_by_label(re.compile("^Areas for development")).fill("The chronology is a list.")
    page.get_by_label(re.compile("^Impact on the child")).fill("The child is safer at home.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    assert_accessible(page)

    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Audit submitted")
    expect(page.get_by_text("Visits are regular and the child is seen.")).to_be_visible()
    assert_accessible(page)

    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
    assert audit.overall_grade is not None
    assert audit.overall_grade.code == "good"


def _submitted_audit(p: Personas) -> Audit:
    audit = answer_fully(planned_audit(p))
    return audit_submit(audit=audit, by=p.auditor)


def test_practitioner_reads_their_feedback_and_replies(p: Personas, page_as: PageAs) -> None:
    audit = _submitted_audit(p)
    page = page_as(p.practitioner)
    assert_accessible(page)

    waiting = page.get_by_role("table", name=re.compile("Feedback waiting for your reply"))
    waiting.get_by_role("link", name=re.compile("Dip sample")).click()
    expect(page.get_by_text(audit.strengths)).to_be_visible()
    assert_accessible(page)

    # The reply form is on the audit's page; sent empty, it comes back with the error summary.
    page.get_by_role("button", name="Send your reply").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to the feedback")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    reply = "Thank you. I will turn the chronology into a story of the child's life."
    page.get_by_label("Your reply to the feedback").fill(reply)
    page.get_by_role("button", name="Send your reply").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Reply sent")
    expect(page.get_by_text(reply)).to_be_visible()
    assert_accessible(page)

    saved = FeedbackReply.objects.get(audit=audit)
    assert saved.author == p.practitioner
    assert saved.text == reply


def test_manager_acknowledges_an_unsafe_child_flag(p: Personas, page_as: PageAs) -> None:
    audit = planned_audit(p)
    escalation = escalation_raise(
        audit=audit,
        by=p.auditor,
        reason="The child told me they are frightened of a new adult in the home.",
    )
    page = page_as(p.team_manager)
    expect(page.locator(".govuk-warning-text")).to_contain_text("unsafe-child flag")
    assert_accessible(page)

    flags = page.get_by_role("table", name=re.compile("Unsafe-child flags"))
    flags.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsafe-child flag")
    expect(page.get_by_text(escalation.reason)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Acknowledge the flag").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)

    response = "I visited today with the police; a safety plan is in place."
    page.get_by_label("What are you doing to keep the child safe?").fill(response)
    page.get_by_role("button", name="Acknowledge the flag").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Flag acknowledged")
    expect(page.get_by_role("button", name="Acknowledge the flag")).to_have_count(0)
    assert_accessible(page)

    escalation = Escalation.objects.get(pk=escalation.pk)
    assert escalation.acknowledged_by == p.team_manager
    assert escalation.response == response


def test_manager_opens_a_flag_notice_and_what_is_needed_to_act(
    p: Personas, page_as: PageAs
) -> None:
    audit = planned_audit(p)
    audit.status = AuditStatus.IN_PROGRESS
    audit.save()
    escalation_raise(audit=audit, by=p.auditor, reason="The child has not been seen for 3 months.")
    page = page_as(p.team_manager)
    page.get_by_role("link", name=re.compile("Notifications")).click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Unsafe-child flag raised")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsafe-child flag")
    expect(page.get_by_text(p.case.la_child_id, exact=True)).to_be_visible()

    page.get_by_role("link", name=re.compile("Open the audit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The audit behind an unsafe-child flag"
    )
    expect(page.get_by_text("The child has not been seen for 3 months.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Open the case file")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(p.case.la_child_id)
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.get_by_text("Unread", exact=True)).to_have_count(0)
