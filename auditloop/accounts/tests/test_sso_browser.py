"""Single sign-on in a real browser, against the OpenID Connect provider the tests start: the
sign-in page's button, the provider's own page, and back signed in; and someone the staff list
does not know, refused with a page saying what to do. Every auditloop page visited passes axe
(WCAG 2.2 AA); the provider's page is the provider's."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.accounts.tests.oidc_provider import LocalProvider
from auditloop.core.models import FailedSignIn
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def _offline(page: Page) -> Page:
    """The provider's page asks a CDN for its stylesheet: the tests use no network."""

    def refuse(route: Route) -> None:
        route.abort()

    page.route("https://**/*", refuse)
    return page


def _through_the_provider(page: Page, live_server: LiveServer, sub: str) -> None:
    page.goto(live_server.url + reverse("login"))
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign in with your Northshire account").click()
    # The provider's page: the person says who they are there, not here.
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_label("Subject").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_load_state()


def test_a_member_of_staff_signs_in_with_their_council_account(
    p: Personas,
    sso: LocalProvider,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    sub = f"person-{uuid.uuid4().hex[:12]}"
    sso.person(sub, email="Auditor@Northshire.example", amr=["pwd", "mfa"])
    page = _offline(new_page())

    _through_the_provider(page, live_server, sub)

    assert page.url == live_server.url + reverse("home")
    expect(page.locator("body")).to_contain_text("Alex Auditor")
    assert_accessible(page)


def test_a_person_the_staff_list_does_not_know_is_told_what_to_do(
    p: Personas,
    sso: LocalProvider,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    sub = f"person-{uuid.uuid4().hex[:12]}"
    sso.person(sub, email="visitor@elsewhere.example")
    page = _offline(new_page())

    _through_the_provider(page, live_server, sub)

    expect(page.get_by_role("heading", name="You cannot sign in to this service")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ask your auditloop administrator")
    assert_accessible(page)
    assert FailedSignIn.objects.filter(username="visitor@elsewhere.example").exists()


def test_single_sign_on_works_with_javascript_off(
    p: Personas,
    sso: LocalProvider,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    sub = f"person-{uuid.uuid4().hex[:12]}"
    sso.person(sub, email="practitioner@northshire.example")
    page = _offline(new_page(javascript=False))
    page.goto(live_server.url + reverse("login"))
    page.get_by_role("button", name="Sign in with your Northshire account").click()
    page.get_by_label("Subject").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_load_state()
    assert page.url == live_server.url + reverse("home")
    expect(page.locator("body")).to_contain_text("Pat Practitioner")


def test_with_single_sign_on_set_up_a_password_still_signs_in(
    p: Personas,
    sso: LocalProvider,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    page = new_page()
    sign_in(page, live_server.url, "manager")
    assert page.url == live_server.url + reverse("home")
    expect(page.locator("body")).to_contain_text("Mary Manager")
