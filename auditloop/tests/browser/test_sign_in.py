"""Signing in, in a real browser; every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.testing import Personas
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_auditor_signs_in_and_lands_on_their_home_page(
    p: Personas, anon_page: Page, live_server: LiveServer
) -> None:
    anon_page.goto(live_server.url + reverse("home"))
    expect(anon_page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(anon_page)

    sign_in(anon_page, live_server.url, "auditor")

    assert anon_page.url == live_server.url + reverse("home")
    expect(anon_page.locator("body")).to_contain_text("Alex Auditor")
    assert_accessible(anon_page)


def test_a_wrong_password_shows_the_error_summary(
    p: Personas, anon_page: Page, live_server: LiveServer
) -> None:
    sign_in(anon_page, live_server.url, "auditor", "not the password")

    summary = anon_page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    # GOV.UK Frontend moves focus to the summary so screen readers announce it.
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(anon_page.get_by_label("Username")).to_be_focused()
    assert_accessible(anon_page)


def test_sign_in_works_with_javascript_off(
    p: Personas, new_page: Callable[..., Page], live_server: LiveServer
) -> None:
    page = new_page(javascript=False)
    sign_in(page, live_server.url, "practitioner")
    assert page.url == live_server.url + reverse("home")
    expect(page.locator("body")).to_contain_text("Pat Practitioner")


def test_signing_out_returns_to_sign_in(
    p: Personas, page_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = page_as(p.team_manager)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(live_server.url + reverse("home"))
    assert page.url.startswith(live_server.url + reverse("login"))


def test_the_axe_check_fails_on_an_inaccessible_page(anon_page: Page) -> None:
    anon_page.set_content('<html><body><main><img src="chart.png"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(anon_page)
