"""The blind regrade in a real browser: the moderator regrades without seeing the auditor's
grades, compares, records the agreed grades, the auditor confirms them and the audit shows the
grade that counts; and a disagreement sent to the head of service, who decides it. Every page
visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.assurance.models import Moderation, ModerationStatus
from auditloop.assurance.tests.regrade_factories import regraded, regrading
from auditloop.audits.models import Answer
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
DOMAINS = [f"D{n}" for n in range(1, 9)]


def _choose(page: Page, group: str, grade: str) -> None:
    # A question's group is named by its code and its words ("D1 Plans ..."): match the code.
    name = re.compile(f"^{re.escape(group)}( |$)")
    page.get_by_role("group", name=name).get_by_label(grade, exact=True).check()


def _banner(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def test_the_blind_regrade_through_to_an_agreed_grade(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    moderation = regrading(p)
    audit = moderation.audit
    lead = page_as(p.moderator)

    # The audit lead may read every audit of North, but not this one's grades while they
    # moderate it.
    lead.goto(f"/audits/{audit.public_id}/")
    expect(lead.get_by_text("Hidden while you moderate this audit")).to_be_visible()
    expect(lead.locator("strong.govuk-tag", has_text="Good")).to_have_count(0)
    assert_accessible(lead)
    lead.get_by_role("link", name="open the moderation").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Moderation of the deep dive")
    expect(lead.get_by_text("You are regrading this audit blind")).to_be_visible()
    expect(lead.get_by_text("Auditor's grade", exact=True)).to_have_count(0)
    assert_accessible(lead)

    # All or nothing: a grade left out is refused, named.
    for domain in DOMAINS[1:]:
        _choose(lead, f"Your grade for {domain}", "Good")
    lead.get_by_role("button", name="Save my grades and compare").click()
    summary = lead.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give a grade for D1")
    expect(summary).to_contain_text("Give an overall grade")
    expect(lead).to_have_title(re.compile("^Error: "))
    assert_accessible(lead)

    _choose(lead, "Your grade for D1", "Requires improvement")
    lead.get_by_label("Your notes on D1").fill("The plan has no dates.")
    _choose(lead, "Your overall grade", "Requires improvement")
    lead.get_by_role("button", name="Save my grades and compare").click()
    _banner(lead, "Your grades are saved")
    comparison = lead.get_by_role("table", name=re.compile("moderator's grades"))
    expect(comparison.get_by_role("row", name=re.compile("^D1 "))).to_contain_text(
        "Moderator 1 grade lower"
    )
    expect(comparison.get_by_role("row", name=re.compile("^D2 "))).to_contain_text("Same")
    assert_accessible(lead)

    # After meeting the auditor, the agreed grades with reasons.
    _choose(lead, "Agreed grade for D1", "Requires improvement")
    lead.get_by_label("Why D1 is graded so").fill("The plan has no dates or owners.")
    _choose(lead, "Agreed overall grade", "Requires improvement")
    lead.get_by_label("Why the overall grade is so").fill("Drift since the last review.")
    lead.get_by_role("button", name="Record the agreed grades").click()
    _banner(lead, "Agreed grades recorded")
    assert_accessible(lead)

    auditor = page_as(p.auditor)
    auditor.get_by_role("link", name=re.compile("Notifications")).click()
    auditor.get_by_role("link", name=re.compile("recorded the grades you agreed")).click()
    expect(auditor.get_by_text("The plan has no dates or owners.")).to_be_visible()
    assert_accessible(auditor)
    auditor.get_by_role("button", name="Confirm the agreed grades").click()
    _banner(auditor, "Agreed grades confirmed")
    assert_accessible(auditor)

    auditor.get_by_role("link", name="Back to the audit").click()
    expect(
        auditor.get_by_text("Agreed at moderation: Requires improvement; the auditor gave Good.")
    ).to_have_count(2)
    assert_accessible(auditor)
    auditor.get_by_role("link", name=re.compile("^Grade history")).click()
    expect(auditor.get_by_role("heading", level=1)).to_have_text("Grade history")
    expect(auditor.get_by_text("Drift since the last review.").first).to_be_visible()
    assert_accessible(auditor)

    moderation = Moderation.objects.get(pk=moderation.pk)
    assert moderation.status == ModerationStatus.AGREED
    first = Answer.objects.get(audit=audit, question__code="D1")
    assert (first.grade.code, first.agreed_grade.code) == ("good", "requires_improvement")  # type: ignore[union-attr]


def test_an_escalated_disagreement_decided_by_the_head_of_service(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    moderation = regraded(p)
    auditor = page_as(p.auditor)
    auditor.goto(f"/moderation/{moderation.public_id}/")
    expect(
        auditor.get_by_text("The head of service for North, Lee Leader, decides.")
    ).to_be_visible()
    auditor.get_by_role("button", name=re.compile("We cannot agree")).click()
    expect(auditor.locator(".govuk-error-summary")).to_contain_text("Say why you cannot agree")
    assert_accessible(auditor)
    auditor.get_by_label("Why can you not agree?").fill("The plan was updated after the audit.")
    auditor.get_by_role("button", name=re.compile("We cannot agree")).click()
    _banner(auditor, "Sent to be decided")
    expect(auditor.get_by_text("The plan was updated after the audit.")).to_be_visible()
    assert_accessible(auditor)

    head = page_as(p.senior_leader)
    head.get_by_role("link", name=re.compile("Notifications")).click()
    head.get_by_role("link", name=re.compile("cannot agree its grades")).click()
    expect(head.get_by_role("heading", name="Decide the grades in dispute")).to_be_visible()
    # Only D1 and the overall grade are in dispute; the rest stand as both gave them.
    expect(head.get_by_role("group", name=re.compile("^Your decision"))).to_have_count(2)
    assert_accessible(head)
    head.get_by_role("button", name="Record the decision").click()
    expect(head.locator(".govuk-error-summary")).to_contain_text("Choose the grade for D1")
    assert_accessible(head)
    _choose(head, "Your decision on D1", "Inadequate")
    head.get_by_label("Why you decided D1 so").fill("No plan at all for three months.")
    _choose(head, "Your decision overall", "Requires improvement")
    head.get_by_label("Why you decided so").fill("Drift, though the child is seen.")
    head.get_by_role("button", name="Record the decision").click()
    _banner(head, "Decision recorded")
    expect(head.get_by_text("Decided by Lee Leader")).to_be_visible()
    assert_accessible(head)

    head.get_by_role("link", name="Back to the audit").click()
    expect(
        head.get_by_text("Agreed at moderation: Inadequate; the auditor gave Good.")
    ).to_be_visible()
    assert_accessible(head)
    assert Moderation.objects.get(pk=moderation.pk).decided_by == p.senior_leader
