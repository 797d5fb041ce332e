"""An audit lead imports the Annex A workbook in a real browser, with and without JavaScript.
Every page visited with JavaScript on passes axe (WCAG 2.2 AA); axe itself needs JavaScript,
and hangs in a page that has it switched off, so the JavaScript-off journey checks content."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.imports.tests.builders import ANNEX_A, CIN_2026, EPISODES
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _upload(page: Page, kind: str, path: Any) -> None:
    page.get_by_label(kind).check()
    page.get_by_label("Upload the file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and import").click()


def test_a_lead_imports_annex_a_and_watches_it_finish_with_javascript(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
    settings: Any,
) -> None:
    settings.TASKS = DATABASE
    p.moderator.services.add(p.south)  # an audit lead for the whole council
    page = new_page(javascript=True)
    sign_in(page, live_server.url, "moderator")
    page.goto("/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    assert_accessible(page)

    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    _upload(page, "Ofsted Annex A workbook (xlsx)", ANNEX_A)
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    assert_accessible(page)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    # htmx polls the progress every two seconds and reloads the page once the import ends.
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("44 problems")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Import another file").click()
    _upload(page, "Ofsted Annex A workbook (xlsx)", EPISODES)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    expect(page.get_by_role("heading", name="This file could not be read")).to_be_visible(
        timeout=10_000
    )
    assert_accessible(page)


def test_a_lead_imports_without_javascript_by_refreshing_the_page(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
    settings: Any,
) -> None:
    settings.TASKS = DATABASE
    page = new_page(javascript=False)
    sign_in(page, live_server.url, "admin")
    page.goto("/imports/")
    _upload(page, "Children in need census (XML)", CIN_2026)
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.get_by_role("link", name="Refresh this page").click()
    expect(page.get_by_role("heading", name="Import complete")).to_be_visible()

    page.get_by_role("link", name="Import another file").click()
    _upload(page, "Ofsted Annex A workbook (xlsx)", EPISODES)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.get_by_role("link", name="Refresh this page").click()
    expect(page.get_by_role("heading", name="This file could not be read")).to_be_visible()
    page.get_by_role("link", name="Back to imports").click()
    expect(page.get_by_role("link", name=EPISODES.name)).to_be_visible()
