"""An administrator sets up a new member of staff in a real browser: a service, a team, the
person with their role (which a senior leader approves), and their login; the person signs in
with the one-time password and must choose their own; the administrator deactivates them,
their next request is refused, and the event log shows each change. Every page visited passes
axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.accounts.models import Role, StaffMember
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
NEWCOMER = "Robin Reviewer"


def _menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=item).click()


def _add_service_and_team(page: Page) -> None:
    _menu(page, "Administration")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    assert_accessible(page)

    page.get_by_role("link", name="Services and heads of service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services")
    assert_accessible(page)
    page.get_by_role("button", name="Add a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a service")
    page.get_by_role("button", name="Add service").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the service's name.")
    assert_accessible(page)
    page.get_by_label("Name").fill("East")
    page.get_by_label("Head of service").select_option(label="No head of service")
    page.get_by_role("button", name="Add service").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Service East added.")
    expect(page.get_by_role("table")).to_contain_text("East")
    assert_accessible(page)

    _menu(page, "Administration")
    page.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    assert_accessible(page)
    page.get_by_role("button", name="Add a team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a team")
    assert_accessible(page)
    page.get_by_label("Name").fill("East A")
    page.get_by_label("Service", exact=True).select_option(label="East")
    page.get_by_role("button", name="Add team").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Team East A added to East.")
    assert_accessible(page)


def _add_staff_member(page: Page) -> None:
    _menu(page, "Administration")
    page.get_by_role("link", name="Staff and logins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    assert_accessible(page)
    page.get_by_role("button", name="Add a member of staff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a member of staff")
    assert_accessible(page)

    page.get_by_label("Name", exact=True).fill(NEWCOMER)
    page.get_by_label("Email").fill("robin.reviewer@northshire.example")
    page.get_by_role("group", name="Role").get_by_label("Auditor or QA officer").check()
    page.get_by_label("Team (optional)").select_option(label="East A (East)")
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("2")
    start.get_by_label("Month").fill("11")
    start.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Add member of staff").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{NEWCOMER} added. Create a login if they need one."
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text("waits for approval")
    expect(page.get_by_role("heading", level=1)).to_have_text(NEWCOMER)
    expect(page.locator(".govuk-inset-text")).to_contain_text("waits for approval")
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("Practitioner (social worker)")
    expect(details).to_contain_text("East A (East)")
    expect(details).to_contain_text("2 November 2026")
    assert_accessible(page)


def _approve_as_senior_leader(page: Page) -> None:
    _menu(page, "Role changes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Role changes waiting for approval")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(NEWCOMER)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEWCOMER)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Auditor or QA officer")
    assert_accessible(page)
    page.get_by_role("button", name="Approve the change").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Approved: {NEWCOMER} is now auditor or qa officer."
    )
    assert_accessible(page)


def _choose_own_password(page: Page, one_time: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your own password")
    assert_accessible(page)
    page.get_by_label("Current password").fill(one_time)
    page.get_by_label("New password", exact=True).fill("robin's own long passphrase 9")
    page.get_by_label("New password again").fill("robin's own long passphrase 9")
    page.get_by_role("button", name="Save my password").click()


def _create_login(page: Page) -> str:
    page.get_by_role("button", name="Create a login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Create a login for {NEWCOMER}")
    expect(page.get_by_label("Username")).to_have_value("robin.reviewer")
    assert_accessible(page)
    page.get_by_label("Username").fill("robin")
    page.get_by_role("button", name="Create login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Login ready for {NEWCOMER}")
    expect(page.get_by_text("This is the only time this password is shown.")).to_be_visible()
    assert_accessible(page)
    password = page.locator("h2:has-text('One-time password') + p").inner_text().strip()
    assert len(password) >= 12
    return password


def test_administrator_sets_up_a_new_auditor_who_signs_in_until_deactivated(
    p: Personas,
    page_as: PageAs,  # noqa: F811
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    admin = page_as(p.administrator)
    _add_service_and_team(admin)
    _add_staff_member(admin)
    _approve_as_senior_leader(page_as(p.senior_leader))
    admin.reload()
    expect(admin.locator(".govuk-summary-list")).to_contain_text("Auditor or QA officer")
    password = _create_login(admin)
    newcomer = StaffMember.objects.get(name=NEWCOMER)
    assert newcomer.role == Role.AUDITOR
    assert newcomer.user is not None
    assert newcomer.user.username == "robin"

    # The one-time password is shown once: the page cannot be asked for again to see it.
    admin.get_by_role("link", name=f"Back to {NEWCOMER}").click()
    expect(admin.get_by_text(password)).to_have_count(0)
    expect(admin.get_by_role("button", name="Create a login")).to_have_count(0)
    expect(admin.get_by_role("button", name="Reset password")).to_be_visible()
    assert_accessible(admin)

    person = new_page()
    sign_in(person, live_server.url, "robin", password)
    _choose_own_password(person, password)
    expect(person.get_by_role("heading", level=1)).to_have_text(NEWCOMER)
    expect(person.get_by_text("Auditor or QA officer, East A")).to_be_visible()
    expect(person.get_by_text("You have no audits to do.")).to_be_visible()
    assert_accessible(person)

    admin.get_by_role("button", name="Deactivate").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Deactivate {NEWCOMER}?")
    assert_accessible(admin)
    admin.get_by_role("button", name="Deactivate").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text(
        f"{NEWCOMER} is marked as left. Their login is closed."
    )
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Left")
    assert_accessible(admin)

    # Their open session stops working at once, and the password no longer signs them in.
    person.reload()
    expect(person.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert "/sign-in/" in person.url
    sign_in(person, live_server.url, "robin", "robin's own long passphrase 9")
    expect(person.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    assert_accessible(person)

    # The event log shows every change the administrator made, and who made it.
    _menu(admin, "Administration")
    admin.get_by_role("link", name="Event log").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Event log")
    events = admin.get_by_role("table", name="Events, newest first")
    for verb, summary, who in [
        ("Service added", "East", "Ada Admin (admin)"),
        ("Team added", "East A", "Ada Admin (admin)"),
        ("Member of staff added", NEWCOMER, "Ada Admin (admin)"),
        ("Role change asked for", NEWCOMER, "Ada Admin (admin)"),
        ("Role change approved", NEWCOMER, "Lee Leader (leader)"),
        ("Login created", f"Login robin created for {NEWCOMER}", "Ada Admin (admin)"),
        ("Member of staff deactivated", f"{NEWCOMER} deactivated", "Ada Admin (admin)"),
    ]:
        row = events.locator("tbody tr", has_text=verb)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(summary)
        expect(row).to_contain_text(who)
    assert_accessible(admin)

    # Filtered to one kind of change, the log shows only that.
    admin.get_by_label("What happened").select_option(label="Member of staff deactivated")
    admin.get_by_role("button", name="Apply filters").click()
    expect(admin.get_by_text(re.compile(r"^1 event$"))).to_be_visible()
    expect(events.locator("tbody tr")).to_have_count(1)
    assert_accessible(admin)
    assert password not in admin.content()
