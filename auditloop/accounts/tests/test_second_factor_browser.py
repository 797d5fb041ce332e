"""An audit lead sets up an authenticator app in a real browser (the QR code drawn, the key
read off the page), keeps the recovery codes, signs in again with a code; an administrator
resets the second factor of someone who lost their phone, and they set it up again. With
JavaScript off too. Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

from base64 import b32decode
from collections.abc import Callable
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _leads_need_a_second_factor(settings: Any) -> None:
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = ["moderator"]


def _code(key: str, *, ahead: int = 0) -> str:
    return f"{totp(b32decode(key), drift=ahead):06d}"


def _axe(page: Page, javascript: bool) -> None:
    """axe runs in the page: with JavaScript off, the same pages are checked by the run with
    it on."""
    if javascript:
        assert_accessible(page)


def _set_up_app(page: Page, *, javascript: bool = True) -> str:
    """On the set-up page: read the key, confirm with a code; returns the key."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    box = qr.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    _axe(page, javascript)
    key = "".join(page.locator("#secret-key").inner_text().split())
    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    _axe(page, javascript)
    page.get_by_label("Code from your app").fill(_code(key))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    _axe(page, javascript)
    return key


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_lead_sets_up_an_app_and_signs_in_with_its_code(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
    javascript: bool,
) -> None:
    assert p.moderator.user is not None
    page = new_page(javascript=javascript)
    sign_in(page, live_server.url, p.moderator.user.username)
    key = _set_up_app(page, javascript=javascript)
    page.get_by_role("button", name="I have kept my codes: continue").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Enter your second factor")

    again = new_page(javascript=javascript)
    sign_in(again, live_server.url, p.moderator.user.username)
    expect(again.get_by_role("heading", level=1)).to_have_text("Enter your second factor")
    _axe(again, javascript)
    again.get_by_label("Code").fill("123456")
    again.get_by_role("button", name="Continue").click()
    expect(again.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    _axe(again, javascript)
    again.get_by_label("Code").fill(_code(key, ahead=1))
    again.get_by_role("button", name="Continue").click()
    again.get_by_role("link", name="Your second factor").click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Your second factor")
    expect(again.locator(".govuk-summary-list")).to_contain_text("10 left")
    _axe(again, javascript)


def test_a_recovery_code_then_a_reset_by_an_administrator(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    page_as: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    assert p.moderator.user is not None
    lead = new_page()
    sign_in(lead, live_server.url, p.moderator.user.username)
    _set_up_app(lead)
    codes = lead.locator("#recovery-codes li").all_inner_texts()

    lost_phone = new_page()
    sign_in(lost_phone, live_server.url, p.moderator.user.username)
    lost_phone.get_by_label("Code").fill(codes[0])
    lost_phone.get_by_role("button", name="Continue").click()
    expect(lost_phone.get_by_text("You signed in with a recovery code")).to_be_visible()
    assert_accessible(lost_phone)

    admin = page_as(p.administrator)
    admin.goto(live_server.url + f"/administration/staff/{p.moderator.public_id}/")
    admin.get_by_role("button", name="Reset second factor").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        f"Reset {p.moderator.name}'s second factor?"
    )
    assert_accessible(admin)
    admin.get_by_role("button", name="Reset second factor").click()
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Enter why")
    admin.get_by_label("Why are you resetting it?").fill("Phone lost; called back on file number")
    admin.get_by_role("button", name="Reset second factor").click()
    expect(admin.get_by_text("second factor has been reset")).to_be_visible()
    assert_accessible(admin)

    fresh = new_page()
    sign_in(fresh, live_server.url, p.moderator.user.username)
    expect(fresh.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")


def test_a_lead_adds_a_passkey_and_signs_in_with_it(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    assert p.moderator.user is not None
    page = new_page()
    sign_in(page, live_server.url, p.moderator.user.username)
    _set_up_app(page)
    # Chromium's virtual authenticator stands in for the laptop's fingerprint reader.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto(live_server.url + "/account/second-factor/manage/")
    assert_accessible(page)
    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey 'Work laptop' added.")).to_be_visible()
    expect(page.locator(".govuk-table")).to_contain_text("Work laptop")
    assert_accessible(page)

    page.context.clear_cookies()  # signed out; the authenticator stays with the page
    sign_in(page, live_server.url, p.moderator.user.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your second factor")
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Enter your second factor")
    assert "/account/second-factor/" not in page.url

    page.goto(live_server.url + "/account/second-factor/manage/")
    page.get_by_role("button", name="Remove passkey Work laptop").click()
    expect(page.get_by_text("Passkey 'Work laptop' removed.")).to_be_visible()
    expect(page.get_by_text("You have no passkeys.")).to_be_visible()
