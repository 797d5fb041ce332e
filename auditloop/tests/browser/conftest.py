"""Browser tests: Debian's Chromium through Playwright, against pytest-django's live server.

One Chromium per test process (per xdist worker); a fresh browser context per signed-in
person. Tests carry the `browser` marker; `make test` runs them. Browser tests in other apps
may import these fixtures (`from auditloop.tests.browser.conftest import browser, ...`):
however many modules define the `browser` fixture that way, they share the one Chromium.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from auditloop.accounts.models import StaffMember
from auditloop.tests.browser.support import sign_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class _SharedChromium:
    """Started by the first `browser` fixture to ask for it, stopped after the last is done."""

    playwright: Playwright | None = None
    chromium: Browser | None = None
    users = 0

    @classmethod
    def acquire(cls) -> Browser:
        if cls.chromium is None:
            cls.playwright = sync_playwright().start()
            cls.chromium = cls.playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        cls.users += 1
        return cls.chromium

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0 and cls.chromium is not None and cls.playwright is not None:
            cls.chromium.close()
            cls.playwright.stop()
            cls.chromium = cls.playwright = None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    yield _SharedChromium.acquire()
    _SharedChromium.release()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context (its own cookies); closed at the end of the test."""
    contexts: list[BrowserContext] = []

    def open_page(*, javascript: bool = True) -> Page:
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def anon_page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture
def page_as(
    new_page: Callable[..., Page], live_server: LiveServer
) -> Callable[[StaffMember], Page]:
    """`page_as(p.auditor)`: a page signed in as that member of staff, through the sign-in form."""

    def signed_in(staff: StaffMember) -> Page:
        assert staff.user is not None
        page = new_page()
        sign_in(page, live_server.url, staff.user.username)
        assert "/sign-in/" not in page.url, f"{staff.user.username} could not sign in"
        return page

    return signed_in
