"""An audit lead changes the compliance dip sample in a real browser: draft a new version, reword
a check, add one, publish. Every page visited passes axe (WCAG 2.2 AA). (Axe needs JavaScript;
the pages use none: every change is a plain form post.)"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.models import Question
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_a_lead_publishes_a_new_version_of_the_compliance_dip_sample(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    page = page_as(p.moderator)
    page.goto("/audits/tools/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit tools")
    assert_accessible(page)

    page.get_by_role("button", name="Create a new draft version of Compliance dip sample").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 2")
    assert_accessible(page)

    page.get_by_role("link", name="Change question A10").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change question A10")
    assert_accessible(page)
    page.get_by_label("Question", exact=True).fill("The health assessment is in date.")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_text("Question A10 changed.")).to_be_visible()

    page.get_by_role("link", name=re.compile("Add a question")).click()
    expect(page.get_by_role("button", name="Add the question")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Question code").fill("A16")
    page.get_by_label("Question", exact=True).fill("The child's plan was shared with them.")
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("Question A16 added")).to_be_visible()

    page.get_by_role("link", name="Publish this version").click()
    expect(page.get_by_label("Change note")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Change note").fill("A10 reworded; A16 added.")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 of Compliance dip sample is published")).to_be_visible()
    assert_accessible(page)

    assert Question.objects.get(section__version__number=2, code="A16")
    original = Question.objects.get(section__version=p.compliance_tool, code="A10")
    assert original.text != "The health assessment is in date."

    page.goto("/audits/tools/scales/")
    assert_accessible(page)
