"""The cycle reviews pages: issuing a version from the list, following it while it is built,
downloading it byte for byte; and who reads which version."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.core.models import WorkerHeartbeat
from auditloop.reports import documents
from auditloop.reports.models import CycleReview, ReviewStatus
from auditloop.reports.services.reviews import cycle_review_build
from auditloop.reports.tests.reviews_support import FakeDocument, issued, make_cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LIST = "/cycle-reviews/"


@pytest.fixture
def document(monkeypatch: pytest.MonkeyPatch) -> FakeDocument:
    fake = FakeDocument()
    monkeypatch.setattr(documents, "cycle_review_bytes", fake)
    return fake


def _urls(review: CycleReview) -> dict[str, str]:
    return {
        name: reverse(f"reports:{name}", args=[review.public_id])
        for name in (
            "cycle-review",
            "cycle-review-progress",
            "cycle-review-download",
            "cycle-review-view",
        )
    }


def _issue(client: Client, cycle_id: object, audience: str = "committee", fmt: str = "pdf") -> Any:
    return client.post(LIST, {"cycle": str(cycle_id), "audience": audience, "format": fmt})


def test_a_lead_issues_a_review_from_the_list_and_finds_it_issued(
    p: Personas,
    document: FakeDocument,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = IMMEDIATE
    cycle = make_cycle(p.north)
    client = p.client_for(p.moderator)
    page = client.get(LIST).content.decode()
    assert "Issue a new version" in page
    assert "April to September 2026" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = _issue(client, cycle.public_id)
    review = CycleReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:cycle-review", args=[review.public_id])
    assert review.status == ReviewStatus.ISSUED
    assert len(document.seen) == 3

    detail = client.get(response["Location"]).content.decode()
    assert "Review issued" in detail
    assert reverse("reports:cycle-review-download", args=[review.public_id]) in detail
    assert review.sha256 in detail


def test_a_queued_review_shows_its_progress_polled_by_htmx_and_a_check_again_link(
    p: Personas, document: FakeDocument, settings: Any
) -> None:
    settings.TASKS = DATABASE
    cycle = make_cycle(p.north)
    client = p.client_for(p.moderator)
    response = _issue(client, cycle.public_id, fmt="docx")
    review = CycleReview.objects.get()
    urls = _urls(review)
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start." in page
    assert f'hx-get="{urls["cycle-review-progress"]}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert f'href="{urls["cycle-review"]}">Check again</a>' in page
    assert client.get(urls["cycle-review-download"]).status_code == 404

    CycleReview.objects.filter(pk=review.pk).update(
        status="building", progress=55, step="Drawing the charts"
    )
    panel = client.get(urls["cycle-review-progress"]).content.decode()
    assert panel.lstrip().startswith('<div id="review-panel"')
    assert "<html" not in panel
    assert "Being built: 55% done. Drawing the charts." in panel
    assert 'value="55"' in panel

    # The worker takes the queued review and builds it.
    CycleReview.objects.filter(pk=review.pk).update(status="queued")
    cycle_review_build(review=review)
    panel = client.get(urls["cycle-review-progress"]).content.decode()
    assert "Review issued" in panel
    assert "hx-trigger" not in panel  # polling stops once it is issued


def test_a_queued_review_says_so_when_no_background_worker_is_alive(
    p: Personas, document: FakeDocument, settings: Any
) -> None:
    settings.TASKS = DATABASE
    cycle = make_cycle(p.north)
    client = p.client_for(p.moderator)
    response = _issue(client, cycle.public_id, fmt="docx")
    review = CycleReview.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "No background worker is running, so this review cannot start" in page
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w", host="h", pid=1, started=now, seen=now)
    panel = client.get(_urls(review)["cycle-review-progress"]).content.decode()
    assert "Waiting to start." in panel
    assert "No background worker is running" not in panel


def test_the_download_is_the_stored_bytes_with_their_sha256_as_etag(p: Personas) -> None:
    content = b"%PDF-1.7\n" + bytes(range(256)) * 40
    review = issued(p, make_cycle(p.north, name="North"), content=content)
    client = p.client_for(p.board_member)
    response = client.get(_urls(review)["cycle-review-download"])
    assert response.status_code == 200
    assert response.content == content
    assert hashlib.sha256(response.content).hexdigest() == review.sha256
    assert response["ETag"] == f'"{review.sha256}"'
    assert response["Content-Type"] == "application/pdf"
    cycle = review.cycle
    assert response["Content-Disposition"] == (
        f'attachment; filename="cycle-review-{cycle.starts_on:%Y-%m-%d}-to-'
        f'{cycle.ends_on:%Y-%m-%d}-committee.pdf"'
    )
    again = client.get(_urls(review)["cycle-review-download"], HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("html", "text/html; charset=utf-8"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_each_format_is_sent_as_its_own_type(p: Personas, fmt: str, content_type: str) -> None:
    review = issued(p, make_cycle(p.north), fmt=fmt, content=b"stored")
    response = p.client_for(p.moderator).get(_urls(review)["cycle-review-download"])
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].endswith(f'-committee.{fmt}"')


def test_the_html_version_opens_in_the_browser_under_a_policy_that_runs_no_script(
    p: Personas,
) -> None:
    content = b"<!doctype html><title>Review</title><script>alert(1)</script><p>Figures</p>"
    review = issued(p, make_cycle(p.north), fmt="html", content=content)
    response = p.client_for(p.senior_leader).get(_urls(review)["cycle-review-view"])
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Disposition"].startswith("inline;")
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy
    assert "default-src 'none'" in policy
    assert "sandbox" in policy.split("; ")
    assert "nonce" not in policy


def test_a_pdf_does_not_open_as_a_web_page(p: Personas) -> None:
    review = issued(p, make_cycle(p.north), fmt="pdf")
    response = p.client_for(p.moderator).get(_urls(review)["cycle-review-view"])
    assert response.status_code == 404


def test_issuing_without_choosing_shows_the_error_summary(p: Personas) -> None:
    make_cycle(p.north)
    response = p.client_for(p.moderator).post(LIST, {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Select the cycle to review",
        "Select who the review is for",
        "Select the format of the review",
    ):
        assert message in page
    assert not CycleReview.objects.exists()


def test_a_lead_cannot_issue_the_review_of_a_cycle_not_theirs_by_posting_it(
    p: Personas,
) -> None:
    make_cycle(p.north)
    shared = make_cycle(p.north, p.south, name="Whole council")
    response = _issue(p.client_for(p.moderator), shared.public_id)
    assert "Select one of the cycles listed" in response.content.decode()
    assert not CycleReview.objects.exists()


@pytest.mark.parametrize(
    ("who", "services"), [("board_member", ["north"]), ("moderator", ["north", "south"])]
)
def test_a_reader_who_may_issue_nothing_has_no_form_and_cannot_post_one(
    p: Personas, who: str, services: list[str]
) -> None:
    cycle = make_cycle(*[getattr(p, name) for name in services])
    client = p.client_for(getattr(p, who))
    assert "Issue a new version" not in client.get(LIST).content.decode()
    response = _issue(client, cycle.public_id)
    assert response.status_code == 403
    assert not CycleReview.objects.exists()


# Who reads which version.


@pytest.fixture
def versions(p: Personas) -> dict[str, CycleReview]:
    north = make_cycle(p.north, name="North cycle")
    council = make_cycle(p.north, p.south, name="Council cycle")
    south = make_cycle(p.south, name="South cycle")
    return {
        "committee": issued(p, north, content=b"committee"),
        "leaders": issued(p, north, audience="leaders", content=b"leaders"),
        "building": issued(p, north, status="building"),
        "failed": issued(p, north, status="failed"),
        "council committee": issued(p, council, content=b"council"),
        "council leaders": issued(p, council, audience="leaders", content=b"council leaders"),
        "south committee": issued(p, south, content=b"south"),
    }


READS = {
    # The board member, audit lead and senior leader oversee North only.
    "board_member": {"committee", "council committee"},
    "moderator": {"committee", "leaders", "building", "failed", "council committee"},
    "senior_leader": {"committee", "leaders", "building", "failed", "council committee"},
}


@pytest.mark.parametrize("who", ["board_member", "moderator", "senior_leader"])
def test_each_reader_sees_exactly_the_versions_the_rule_gives_them_everywhere(
    p: Personas, versions: dict[str, CycleReview], who: str
) -> None:
    client = p.client_for(getattr(p, who))
    listed = client.get(LIST).content.decode()
    for name, review in versions.items():
        readable = name in READS[who]
        detail = reverse("reports:cycle-review", args=[review.public_id])
        assert (detail in listed) == readable, name
        assert client.get(detail).status_code == (200 if readable else 404), name
        assert client.get(_urls(review)["cycle-review-progress"]).status_code == (
            200 if readable else 404
        ), name
        download = client.get(_urls(review)["cycle-review-download"])
        done = review.status == "issued"
        assert download.status_code == (200 if readable and done else 404), name


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "auditor", "administrator"])
def test_roles_that_read_no_review_are_refused_every_page(
    p: Personas, versions: dict[str, CycleReview], who: str
) -> None:
    client = p.client_for(getattr(p, who))
    assert client.get(LIST).status_code == 403
    for url in _urls(versions["committee"]).values():
        assert client.get(url).status_code == 403, url


def test_a_board_member_reads_who_issued_a_version_by_role_never_by_name(
    p: Personas, versions: dict[str, CycleReview]
) -> None:
    client = p.client_for(p.board_member)
    pages = [client.get(LIST).content.decode()]
    pages.append(client.get(_urls(versions["committee"])["cycle-review"]).content.decode())
    for page in pages:
        assert p.moderator.name not in page
        assert "An audit lead" in page
        assert "Issue a new version" not in page
    lead_page = p.client_for(p.senior_leader).get(LIST).content.decode()
    assert p.moderator.name in lead_page


def test_a_lead_over_every_service_reads_the_leaders_version_of_the_whole_council(
    p: Personas, versions: dict[str, CycleReview]
) -> None:
    p.senior_leader.services.add(p.south)
    client = p.client_for(p.senior_leader)
    for name in ("council leaders", "south committee"):
        response = client.get(_urls(versions[name])["cycle-review-download"])
        assert response.content == bytes(versions[name].content or b"")


@pytest.mark.parametrize(
    ("who", "finds"),
    [("board_member", True), ("moderator", True), ("senior_leader", True), ("auditor", False)],
)
def test_the_readers_of_reviews_find_them_in_the_menu(p: Personas, who: str, finds: bool) -> None:
    home = p.client_for(getattr(p, who)).get("/").content.decode()
    assert (f'href="{LIST}"' in home) == finds
