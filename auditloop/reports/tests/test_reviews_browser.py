"""An audit lead issues the committee's cycle review as a PDF in a real browser, watches it
being built and downloads it; and without JavaScript reaches the issued review by checking
again. Every page visited with JavaScript on passes axe (WCAG 2.2 AA); axe needs JavaScript,
so the JavaScript-off journey checks content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.reports import documents
from auditloop.reports.models import CycleReview
from auditloop.reports.services.reviews import cycle_review_build, cycle_review_request
from auditloop.reports.tests.review_factories import review_council
from auditloop.reports.tests.reviews_support import FakeDocument, make_cycle
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def document(monkeypatch: pytest.MonkeyPatch) -> FakeDocument:
    fake = FakeDocument()
    monkeypatch.setattr(documents, "cycle_review_bytes", fake)
    return fake


def _issue_committee_pdf(page: Page) -> None:
    page.goto("/cycle-reviews/")
    page.get_by_label("North, April to September 2026").check()
    page.get_by_label("Committee (anonymised)").check()
    page.get_by_label("PDF", exact=True).check()
    page.get_by_role("button", name="Issue the review").click()


def _worker_runs() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_lead_issues_a_pdf_review_sees_it_ready_and_downloads_it(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
    settings: Any,
    document: FakeDocument,
    tmp_path: Path,
) -> None:
    settings.TASKS = DATABASE
    make_cycle(p.north, name="North, April to September 2026")
    page = new_page(javascript=True)
    sign_in(page, live_server.url, "moderator")
    page.goto("/cycle-reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cycle reviews")
    assert_accessible(page)

    page.get_by_role("button", name="Issue the review").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)

    _issue_committee_pdf(page)
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    assert_accessible(page)
    _worker_runs()
    # htmx polls the panel every two seconds and swaps in the issued one.
    expect(page.get_by_role("heading", name="Review issued")).to_be_visible(timeout=10_000)
    assert_accessible(page)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the review").click()
    download = downloading.value
    review = CycleReview.objects.get()
    cycle = review.cycle
    assert download.suggested_filename == (
        f"cycle-review-{cycle.starts_on:%Y-%m-%d}-to-{cycle.ends_on:%Y-%m-%d}-committee.pdf"
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == bytes(review.content or b"")

    page.get_by_role("link", name="Cycle reviews").first.click()
    expect(page.get_by_role("link", name="Committee (anonymised)", exact=True)).to_be_visible()
    assert_accessible(page)


def test_without_javascript_the_lead_reaches_the_issued_review_by_checking_again(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
    settings: Any,
    document: FakeDocument,
) -> None:
    settings.TASKS = DATABASE
    make_cycle(p.north, name="North, April to September 2026")
    page = new_page(javascript=False)
    sign_in(page, live_server.url, "moderator")
    _issue_committee_pdf(page)
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_text("Waiting to start.")).to_be_visible()
    _worker_runs()
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("heading", name="Review issued")).to_be_visible()
    expect(page.get_by_role("link", name="Download the review")).to_be_visible()


def test_the_issued_web_page_version_opens_styled_under_a_policy_that_allows_no_script(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    council = review_council(p)
    p.senior_leader.services.add(p.south)
    review = cycle_review_build(
        review=cycle_review_request(
            staff=p.senior_leader, cycle=council.cycle, audience="committee", fmt="html"
        )
    )
    page = new_page(javascript=True)
    sign_in(page, live_server.url, "leader")
    page.goto(f"/cycle-reviews/{review.public_id}/")
    assert_accessible(page)
    response_policies: list[str] = []
    page.on(
        "response", lambda r: response_policies.append(r.headers.get("content-security-policy", ""))
    )
    page.get_by_role("link", name="Open the review in your browser").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Six-month cycle review")
    # The document's own stylesheet applies under the stored document's policy.
    assert heading.evaluate("h => getComputedStyle(h).fontSize") == "32px"
    assert any("sandbox" in policy for policy in response_policies)
