"""An audit lead plans an audit in a real browser: the two question pages, the error on each,
and every page visited passing axe (WCAG 2.2 AA). The same journey with JavaScript off
reaches the same audit. The child's ID never enters a URL the browser asks for."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.audits.models import Audit
from auditloop.audits.services.audits import audit_submit
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def _plan_a_revisit(page: Page, *, check: bool) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto("/audits/")
    page.get_by_role("link", name="Plan an audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which child\u2019s case?")
    if check:
        assert_accessible(page)

    page.get_by_label("LA child ID").fill("S-0999")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="No open case with that LA child ID")).to_be_visible()
    if check:
        assert_accessible(page)

    page.get_by_label("LA child ID").fill(" 00123 ")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan the audit of this case")
    if check:
        assert_accessible(page)

    page.get_by_label("Audit tool").select_option(label="Compliance dip sample, version 1")
    page.get_by_role("radio", name="Revisit").check()
    page.get_by_label("Auditor").select_option(
        label="Alex Auditor (Auditor or QA officer, North B)"
    )
    page.get_by_role("button", name="Plan the audit").click()
    expect(page.get_by_role("link", name="A revisit needs the earlier audit")).to_be_visible()
    if check:
        assert_accessible(page)

    page.get_by_label("Earlier audit this revisit follows up").select_option(index=1)
    page.get_by_role("button", name="Plan the audit").click()
    expect(page.get_by_text("Audit planned and assigned to Alex Auditor.")).to_be_visible()
    return asked


def test_an_audit_lead_plans_a_revisit_through_the_two_question_pages(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    earlier = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    asked = _plan_a_revisit(page_as(p.moderator), check=True)
    assert Audit.objects.get(revisit_of=earlier).auditor == p.auditor
    assert not [url for url in asked if "00123" in url or "S-0999" in url]


def test_planning_works_with_javascript_off(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    earlier = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    page = new_page(javascript=False)
    sign_in(page, live_server.url, "moderator")
    _plan_a_revisit(page, check=False)
    assert Audit.objects.filter(revisit_of=earlier).exists()
