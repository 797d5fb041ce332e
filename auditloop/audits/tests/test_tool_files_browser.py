"""An audit lead adopts an exemplar tool and imports a tool file in a real browser; every page
visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from auditloop.audits.models import AuditTool
from auditloop.audits.selectors.tool_files import tool_document_json, tool_version_document
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_a_lead_adopts_an_exemplar_and_imports_a_tool_file(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
) -> None:
    page = page_as(p.moderator)
    page.goto("/audits/tools/")
    page.get_by_role("link", name="Exemplar audit tools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exemplar audit tools")
    page.get_by_text("Questions and sources of Thematic audit: neglect").click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Adopt as a draft.+neglect$")).click()
    expect(page.get_by_text("draft version 1 imported with 7 questions")).to_be_visible()
    assert_accessible(page)

    document = tool_version_document(p.compliance_tool)
    document["tool"]["name"] = "Westshire dip sample"
    document["sections"][0]["questions"][0]["kind"] = "survey"
    page.goto("/audits/tools/import/")
    assert_accessible(page)
    upload = page.get_by_label("Upload the audit tool file")
    upload.set_input_files(
        {
            "name": "westshire.json",
            "mimeType": "application/json",
            "buffer": json.dumps(document).encode(),
        }
    )
    page.get_by_role("button", name="Import as a draft").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("cell", name="sections[0].questions[0].kind")).to_be_visible()
    assert_accessible(page)

    document["sections"][0]["questions"][0]["kind"] = "compliance"
    page.get_by_label("Upload the audit tool file").set_input_files(
        {
            "name": "westshire.json",
            "mimeType": "application/json",
            "buffer": tool_document_json(document),
        }
    )
    page.get_by_role("button", name="Import as a draft").click()
    expect(page.get_by_text("Westshire dip sample: draft version 1 imported")).to_be_visible()
    assert AuditTool.objects.filter(name="Westshire dip sample").exists()
