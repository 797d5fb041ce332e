"""A practitioner tells the audit team how a completed audit felt, from their home page, in a
real browser; every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from auditloop.assurance.models import ExperienceResponse
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_a_practitioner_answers_the_questions_about_their_audit(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    audit = Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.COMPLETED,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        submitted_at=timezone.now() - datetime.timedelta(days=2),
        completed_at=timezone.now() - datetime.timedelta(days=1),
    )
    page = page_as(p.practitioner)
    page.goto("/")
    page.get_by_role("link", name=f"Dip sample audit {audit.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How did the audit feel?")
    assert_accessible(page)

    page.get_by_role("group", name="The audit was carried out in a supportive way.").get_by_label(
        "Agree", exact=True
    ).check()
    page.get_by_role("button", name="Send your answers").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    for statement in (
        "The feedback from the audit is useful to my practice.",
        "The auditor worked alongside me, not against me.",
    ):
        page.get_by_role("group", name=statement).get_by_label("Strongly agree").check()
    page.get_by_role("button", name="Send your answers").click()
    expect(
        page.get_by_text("Thank you. Your answers are kept with no name on them.")
    ).to_be_visible()
    assert_accessible(page)
    assert ExperienceResponse.objects.get().alongside == "strongly_agree"
