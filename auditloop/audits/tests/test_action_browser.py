"""Actions in a real browser: an audit's submission refused for a missing action, the action
added beside its question and the audit submitted; then the practitioner's action, marked done,
sent back and signed off by their team manager. Every page visited passes axe (WCAG 2.2 AA).
The auditor's journey works the same with JavaScript off."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.audits.models import (
    Action,
    ActionStatus,
    Audit,
    AuditStatus,
    GradingScale,
    Question,
)
from auditloop.audits.services.actions import action_complete, action_create
from auditloop.audits.services.audits import AnswerInput, audit_answers_save, audit_submit
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
DUE = timezone.localdate() + datetime.timedelta(days=28)


def _answered_with_a_no(p: Personas) -> tuple[Audit, Question]:
    """A dip sample answered in full, with a "No" on A3 and nothing done about it yet."""
    audit = answer_fully(planned_audit(p))
    a3 = Question.objects.get(section__version=audit.tool_version, code="A3")
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={a3.pk: AnswerInput(compliance="no", evidence="No record of the child's views.")},
        overall_grade=audit.overall_grade,
        strengths=audit.strengths,
        areas_for_development=audit.areas_for_development,
        impact_on_child=audit.impact_on_child,
    )
    return audit, a3


def _refused_then_supplied(page: Page, audit: Audit, a3: Question, *, check: bool) -> None:
    page.goto(f"/audits/{audit.public_id}/answer/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Answer the audit")
    if check:
        assert_accessible(page)

    # Submitting is refused: the error summary names A3 and links to its action.
    page.get_by_role("button", name="Submit", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"A3 '{a3.text.rstrip('.')}' is answered No")
    expect(page.get_by_label("A3: what needs to be done")).to_be_visible()
    if check:
        assert_accessible(page)
    summary.get_by_role("link", name=re.compile("^A3 ")).click()

    page.get_by_label("A3: what needs to be done").fill("Record the child's views in the plan.")
    page.get_by_label("A3: who owns the action").select_option(
        label="Pat Practitioner (Practitioner (social worker))"
    )
    due = page.get_by_role("group", name=re.compile("A3: when the action is due"))
    due.get_by_label("Day").fill(str(DUE.day))
    due.get_by_label("Month").fill(str(DUE.month))
    due.get_by_label("Year").fill(str(DUE.year))
    page.get_by_role("button", name="Add this action for A3").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Draft saved, and 1 action added."
    )
    expect(page.get_by_text("Action for A3 (1 added)")).to_be_visible()
    if check:
        assert_accessible(page)

    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Audit submitted")
    if check:
        assert_accessible(page)


def test_a_submission_refused_for_a_missing_action_then_the_action_added_and_submitted(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    audit, a3 = _answered_with_a_no(p)
    page = page_as(p.auditor)
    _refused_then_supplied(page, audit, a3, check=True)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
    action = Action.objects.get(audit=audit)
    assert action.answer is not None and action.answer.question == a3
    assert (action.owner, action.due_date) == (p.practitioner, DUE)


def test_the_action_is_added_beside_its_question_with_javascript_off(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    audit, a3 = _answered_with_a_no(p)
    page = new_page(javascript=False)
    sign_in(page, live_server.url, "auditor")
    _refused_then_supplied(page, audit, a3, check=False)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_a_manager_sends_back_then_signs_off_a_completed_action(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    audit = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    action = action_create(
        audit=audit,
        by=p.auditor,
        description="See the child alone and record their views.",
        owner=p.practitioner,
        due_date=DUE,
    )
    action_complete(action=action, by=p.practitioner, evidence="Seen alone at school on 3 May.")

    page = page_as(p.team_manager)
    waiting = page.get_by_role("table", name=re.compile("Actions waiting for your sign-off"))
    expect(waiting).to_contain_text("Pat Practitioner")
    assert_accessible(page)

    waiting.get_by_role("link", name=re.compile("See the child alone")).click()
    expect(page.get_by_text("Seen alone at school on 3 May.")).to_be_visible()
    expect(page.get_by_text("Waiting for sign-off").first).to_be_visible()
    assert_accessible(page)

    # Sending it back needs a reason.
    page.get_by_role("button", name="Send it back").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the action is sent back"
    )
    assert_accessible(page)

    page.get_by_label("Why are you sending it back?").fill("Say where the views are recorded.")
    page.get_by_role("button", name="Send it back").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action sent back")
    assert_accessible(page)

    # The practitioner adds to their evidence and marks it done again.
    mine = page_as(p.practitioner)
    mine.goto(f"/audits/actions/{action.public_id}/")
    expect(mine.get_by_text("Say where the views are recorded.")).to_be_visible()
    assert_accessible(mine)
    mine.get_by_label("Evidence that the action is done").fill(
        "Seen alone at school on 3 May; views in the plan, section 2."
    )
    mine.get_by_role("button", name="Mark as done").click()
    expect(mine.locator(".govuk-notification-banner")).to_contain_text("waiting for sign-off")
    assert_accessible(mine)

    page.reload()
    page.get_by_role("button", name="Sign off the action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Action signed off. It is closed."
    )
    expect(page.get_by_text("Closed", exact=True)).to_be_visible()
    assert_accessible(page)

    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    assert action.signed_off_by == p.team_manager


def test_an_audit_lead_sets_which_grades_need_an_action(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    scale = GradingScale.objects.get(slug="scaling-0-10")
    page = page_as(p.moderator)
    page.goto(f"/audits/tools/scales/{scale.public_id}/")
    grades = page.get_by_role("group", name="Which grades need an action?")
    expect(grades.get_by_label("5", exact=True)).to_be_checked()
    expect(grades.get_by_label("6", exact=True)).not_to_be_checked()
    assert_accessible(page)
    grades.get_by_label("5", exact=True).uncheck()
    page.get_by_role("button", name="Save the grades that need an action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The grades that need an action are saved."
    )
    assert_accessible(page)
    assert sorted(scale.grades.filter(needs_action=True).values_list("value", flat=True)) == [
        0,
        1,
        2,
        3,
        4,
    ]
