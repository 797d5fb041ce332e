"""The accessibility statement in a real browser, reached from the footer; it passes axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.testing import Personas
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_a_signed_out_visitor_follows_the_footer_link_to_the_statement(
    db: None, anon_page: Page, live_server: LiveServer
) -> None:
    anon_page.goto(live_server.url + reverse("login"))
    anon_page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    assert anon_page.url == live_server.url + reverse("accessibility")
    expect(
        anon_page.get_by_role(
            "heading", level=1, name="Accessibility statement for Case-file audit"
        )
    ).to_be_visible()
    expect(anon_page.get_by_role("heading", name="Enforcement procedure")).to_be_visible()
    assert_accessible(anon_page)


def test_signed_in_staff_reach_the_statement_from_their_footer_too(
    p: Personas, page_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = page_as(p.practitioner)
    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="Change your password")).to_be_visible()
    footer.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for Case-file audit"
    )
    # Signed in, the header still offers notifications and signing out on this page.
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)
