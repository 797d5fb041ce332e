"""Key messages in a real browser: an audit lead compiles and edits a draft and sends it for
review; a second lead reviews it (redacts more, undoes a redaction) and publishes it; a
practitioner of the team reads it from their home page and confirms they have read it. Every
page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.learning.models import KeyMessage, KeyMessageRecipient, KeyMessageStatus
from auditloop.learning.tests.key_message_factories import (
    counted_team,
    graded_questions,
    make_cycle,
    make_point,
    second_lead,
)
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_a_lead_compiles_a_second_lead_reviews_and_publishes_and_a_practitioner_reads_it(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
    audits = counted_team(p, cycle, 5, answers=["good", "requires_improvement"])
    first, second = graded_questions(p)[:2]
    make_point(audits[0], question=first, text="Pat Practitioner saw the child alone weekly.")
    make_point(
        audits[1],
        question=second,
        kind="concern",
        text="The plan drifted while the family moved to NW1 6XE.",
    )

    # The audit lead compiles and edits. The examples are redacted as they are drawn.
    lead = page_as(p.moderator)
    lead.get_by_role("link", name="Key messages").first.click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Key messages")
    assert_accessible(lead)
    lead.get_by_role("link", name="Compile key messages").click()
    # axe runs on the page the link leads to, never on the one it is leaving.
    expect(lead.get_by_label("Cycle", exact=True)).to_be_visible()
    assert_accessible(lead)
    lead.get_by_label("Cycle", exact=True).select_option(label="Spring 2026")
    lead.get_by_role("radio", name="One team").check()
    lead.locator("#id_team").select_option(label="North A (North)")
    lead.get_by_role("button", name="Compile the draft").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Key message compiled")
    expect(lead.get_by_text("5 audits of North A counted in Spring 2026")).to_be_visible()
    expect(lead.get_by_text("[social worker] saw the child alone weekly.")).to_be_visible()
    assert_accessible(lead)

    lead.get_by_role("link", name="Edit the draft").click()
    expect(lead.get_by_label("Title")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_label("Title").fill("Seeing children alone")
    lead.get_by_label("Why it matters").fill(
        "Children at Larkfield Primary, NW1 6XE, told Mary Manager they want to be seen on "
        "their own."
    )
    lead.get_by_role("button", name="Save the draft").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    # The prompts left in two parts: not sent, and told which.
    lead.get_by_role("button", name="Send for review").click()
    expect(lead.locator(".govuk-notification-banner, .govuk-error-summary").first).to_contain_text(
        "what good looks like, what to do next"
    )
    lead.get_by_role("link", name="Edit the draft").click()
    lead.get_by_label("What good looks like").fill("Each child seen alone, their words recorded.")
    lead.get_by_label("What to do next").fill("See every child alone at the next visit.")
    lead.get_by_role("button", name="Save the draft").click()
    lead.get_by_role("button", name="Send for review").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("Sent for review")
    expect(lead.get_by_role("link", name="Review it")).to_have_count(0)
    assert_accessible(lead)
    message = KeyMessage.objects.get()

    # A second lead reviews: every redaction highlighted; redacts more, undoes one, publishes.
    reviewer = page_as(second_lead(p))
    reviewer.get_by_role("link", name="Key messages").first.click()
    reviewer.get_by_role("link", name="Seeing children alone").click()
    reviewer.get_by_role("link", name="Review it").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Review a key message")
    marks = reviewer.locator("mark.app-redaction")
    expect(marks.filter(has_text="Mary Manager")).to_contain_text("[team manager]")
    expect(marks.filter(has_text="NW1 6XE")).to_contain_text("[postcode]")
    assert_accessible(reviewer)

    reviewer.get_by_label("Words to redact").fill("Larkfield Primary")
    reviewer.get_by_role("radio", name="A school or setting").check()
    reviewer.get_by_role("button", name="Redact these words").click()
    expect(reviewer.locator(".govuk-notification-banner")).to_contain_text("Redacted")
    expect(marks.filter(has_text="Larkfield Primary")).to_contain_text("[school]")
    reviewer.get_by_role("button", name=re.compile("Undo redaction of .NW1 6XE.")).click()
    expect(reviewer.get_by_text("“NW1 6XE” is kept as written.")).to_be_visible()
    assert_accessible(reviewer)
    reviewer.get_by_role("button", name="Publish").click()
    expect(reviewer.locator(".govuk-notification-banner")).to_contain_text("Published")
    assert_accessible(reviewer)
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.PUBLISHED
    assert "Larkfield" not in str(message.published_text)
    assert "NW1 6XE" in str(message.published_text)
    assert "Mary Manager" not in str(message.published_text)

    # The practitioner reads it from their home page and confirms.
    reader = page_as(p.practitioner)
    expect(reader.get_by_text("Key messages to read")).to_be_visible()
    assert_accessible(reader)
    reader.get_by_role("link", name="Seeing children alone").click()
    expect(reader.get_by_text("[school]")).to_be_visible()
    expect(reader.get_by_text("Larkfield")).to_have_count(0)
    assert_accessible(reader)
    reader.get_by_role("button", name="I have read this").click()
    expect(reader.get_by_text("You confirmed that you read this")).to_be_visible()
    assert_accessible(reader)
    row = KeyMessageRecipient.objects.get(key_message=message, staff=p.practitioner)
    assert row.acknowledged_at is not None

    # The lead sees who has read it.
    lead.reload()
    expect(lead.get_by_text("1 of 2 people have confirmed they read it")).to_be_visible()
    assert_accessible(lead)
