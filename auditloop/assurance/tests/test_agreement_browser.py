"""Reading the agreement figures in a real browser: an audit lead finds the page in the menu,
reads the latest cycle by question and by auditor, chooses another cycle (with JavaScript on
and off); a board member reads the same page without names. Every page visited with
JavaScript on passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.accounts.models import Role
from auditloop.assurance.tests.agreement_factories import cycle_make, moderated_audit
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas, make_staff
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def _moderated_cycles(p: Personas) -> tuple[Cycle, Cycle]:
    """Two cycles of North: spring with three auditors' moderated deep dives, autumn (the
    latest) with one."""
    spring = cycle_make(p, "Spring 2026", datetime.date(2026, 1, 5))
    autumn = cycle_make(p, "Autumn 2026", datetime.date(2026, 7, 6))
    others = [make_staff(f"aud{n}", f"Auditor {n}", Role.AUDITOR, p.north_b) for n in (1, 2)]
    for n, auditor in enumerate([p.auditor, *others]):
        for pairs in ([(3, 3), (2, 3), (4, 4)], [(2, 2), (1, 2), (3, 3)]):
            moderated_audit(p, grades=pairs, overall=(3, 2 + n % 2), auditor=auditor, cycle=spring)
    moderated_audit(p, grades=[(3, 3)], overall=(2, 2), cycle=autumn)
    return spring, autumn


def test_an_audit_lead_reads_agreement_by_question_auditor_and_cycle(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    spring, _ = _moderated_cycles(p)
    page = page_as(p.moderator)
    page.get_by_role("link", name="Agreement", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Agreement between auditors and moderators"
    )
    expect(page.get_by_role("heading", name="Autumn 2026")).to_be_visible()
    # Autumn holds one moderated audit: too few pairs to say much.
    expect(page.get_by_text("Not enough to say").first).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Cycle").select_option(label="Spring 2026")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Spring 2026")).to_be_visible()
    by_question = page.get_by_role("table", name="By question")
    expect(
        by_question.get_by_role("rowheader", name="D1 Voice and lived experience")
    ).to_be_visible()
    by_auditor = page.get_by_role("table", name="By auditor")
    for name in ("Alex Auditor", "Auditor 1", "Auditor 2"):
        expect(by_auditor.get_by_role("rowheader", name=name)).to_be_visible()
    expect(page.get_by_text("95% interval").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("table", name="Cycles in your services").get_by_role(
        "link", name="Autumn 2026"
    ).click()
    expect(page.get_by_role("heading", name="Autumn 2026")).to_be_visible()
    assert str(spring.public_id) not in page.url


def test_the_cycle_is_chosen_with_javascript_off(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    _moderated_cycles(p)
    page = new_page(javascript=False)
    assert p.moderator.user is not None
    sign_in(page, live_server.url, p.moderator.user.username)
    page.get_by_role("link", name="Agreement", exact=True).click()
    page.get_by_label("Cycle").select_option(label="Every cycle")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Every cycle")).to_be_visible()
    expect(page.get_by_role("table", name="All grades together")).to_contain_text("26")


def test_a_board_member_reads_figures_for_groups_without_names(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    _moderated_cycles(p)
    page = page_as(p.board_member)
    page.get_by_role("link", name="Agreement", exact=True).click()
    expect(page.get_by_text("Not shown: drawn from fewer than 3 auditors").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Cycle").select_option(label="Spring 2026")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table", name="By question")).to_be_visible()
    expect(page.get_by_role("table", name="By auditor")).to_have_count(0)
    expect(page.get_by_text("Alex Auditor")).to_have_count(0)
    assert_accessible(page)
