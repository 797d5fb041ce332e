"""The API documentation in a real browser: reached from the API tokens page, it passes axe
(WCAG 2.2 AA) and leads back into the product."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.accounts.models import StaffMember
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["practitioner", "moderator"])
def test_the_api_documentation_is_found_from_the_tokens_page_and_passes_axe(
    p: Personas,
    page_as: Callable[[StaffMember], Page],  # noqa: F811
    role: str,
) -> None:
    page = page_as(getattr(p, role))
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="API documentation")).to_have_count(0)
    footer.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page)

    page.get_by_role("link", name="Read the API documentation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API documentation")
    expect(page.get_by_role("heading", name="GET /api/v1/audits", exact=True)).to_be_visible()
    expect(
        page.get_by_role("table", name="Parameters of GET /api/v1/audits", exact=True)
    ).to_contain_text("Whole number from 1 to 500")
    expect(page.get_by_role("link", name="Download the OpenAPI schema (JSON)")).to_have_attribute(
        "download", "auditloop-openapi.json"
    )
    assert_accessible(page)

    page.get_by_role("link", name="List of AuditOut objects").click()
    expect(page.get_by_role("table", name="AuditOut")).to_be_in_viewport()

    page.get_by_role("link", name="Back to API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
