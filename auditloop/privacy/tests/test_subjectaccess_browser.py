"""A subject access export in a real browser: the DPO opens the form from the data protection
page, types an ID no case has and is told so, then the child's ID, and downloads the zip of a
PDF and JSON holding the child's audit, with the family member's name redacted. Every page
visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from auditloop.privacy.forms.subjectaccess import UNKNOWN_CHILD_ID
from auditloop.privacy.tests.subjectaccess_factories import MOTHER, audit_in_full
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_the_dpo_exports_a_childs_records_after_mistyping_the_id(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
    tmp_path: Path,
) -> None:
    audit = audit_in_full(p)
    page = page_as(p.data_protection)
    page.get_by_role("navigation").get_by_role("link", name="Data protection").click()
    page.get_by_role("link", name="Answer a subject access request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access request")
    expect(page).to_have_title(re.compile(r"^Subject access request"))
    assert_accessible(page)

    page.get_by_label("A child or young person").check()
    page.get_by_label("LA child ID").fill("00999")
    page.get_by_role("button", name="Download the export").click()
    expect(page).to_have_title(re.compile(r"^Error: Subject access request"))
    expect(page.get_by_role("alert")).to_contain_text(UNKNOWN_CHILD_ID)
    assert_accessible(page)

    page.get_by_label("LA child ID").fill(p.case.la_child_id)
    # Generous waits: the first export builds the redactor's name lists and lays out a PDF.
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download the export").click(timeout=60_000)
    download = download_info.value
    assert download.suggested_filename.startswith("subject-access-child-")
    assert p.case.la_child_id not in download.suggested_filename
    saved = tmp_path / "export.zip"
    download.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        assert archive.read("subject-access.pdf").startswith(b"%PDF-")
        data = json.loads(archive.read("subject-access.json"))
    assert data["case"]["la_child_id"] == p.case.la_child_id
    assert [a["public_id"] for a in data["audits"]] == [str(audit.public_id)]
    assert MOTHER not in json.dumps(data)
    # The child's ID went into the file only: never the address or the title.
    assert p.case.la_child_id not in page.url
    assert p.case.la_child_id not in page.title()


def test_an_administrator_exports_a_staff_members_records(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
    tmp_path: Path,
) -> None:
    audit_in_full(p)
    page = page_as(p.administrator)
    page.get_by_role("navigation").get_by_role("link", name="Data protection").click()
    page.get_by_role("link", name="Answer a subject access request").click()
    expect(page.get_by_label("A member of staff", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("A member of staff", exact=True).check()
    page.get_by_label("Member of staff", exact=True).select_option(label=p.practitioner.name)
    # Generous waits: the first export builds the redactor's name lists and lays out a PDF.
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download the export").click(timeout=60_000)
    saved = tmp_path / "export.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        data = json.loads(archive.read("subject-access.json"))
    assert data["staff_member"]["name"] == p.practitioner.name
    assert data["audits"][0]["their_part"] == ["practitioner"]
