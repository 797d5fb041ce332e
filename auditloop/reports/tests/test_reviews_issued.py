"""Issuing the real cycle review document: built in the background from the cycle's figures,
with its progress saved as it goes, kept byte for byte and downloaded again unchanged after the
audits behind it change."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.urls import reverse

from auditloop.audits.models import Audit
from auditloop.learning.tests.team_picture_factories import grade
from auditloop.reports import documents
from auditloop.reports.models import CycleReview
from auditloop.reports.services.reviews import cycle_review_build, cycle_review_request
from auditloop.reports.tests.review_factories import CHILD_ID, ReviewCouncil, review_council
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def council(p: Personas) -> ReviewCouncil:
    built = review_council(p)
    p.senior_leader.services.add(p.south)  # a leader over both of the cycle's services
    return built


def test_a_leader_issues_the_committee_review_through_the_page_and_downloads_it_unchanged(
    p: Personas,
    council: ReviewCouncil,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = IMMEDIATE
    real = documents.cycle_review_bytes
    steps: list[tuple[str, int, str]] = []

    def watched(**kwargs: Any) -> bytes:
        saver = kwargs["on_progress"]

        def on_progress(percent: int, words: str) -> None:
            saver(percent, words)
            row = CycleReview.objects.get()
            steps.append((row.status, row.progress, row.step))

        return real(**{**kwargs, "on_progress": on_progress})

    monkeypatch.setattr(documents, "cycle_review_bytes", watched)
    client = p.client_for(p.senior_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cycle-reviews/",
            {"cycle": str(council.cycle.public_id), "audience": "committee", "format": "html"},
        )
    assert response.status_code == 302
    review = CycleReview.objects.get()
    assert review.status == "issued"
    assert steps[0][:2] == ("building", 1)
    assert [s[2] for s in steps][:2] == ["Counting the figures", "Figures counted"]
    assert all(status == "building" for status, _, _ in steps)

    download = reverse("reports:cycle-review-download", args=[review.public_id])
    first = client.get(download).content
    assert first == bytes(review.content or b"")
    assert hashlib.sha256(first).hexdigest() == review.sha256
    text = first.decode()
    assert "Six-month cycle review" in text
    assert CHILD_ID not in text
    for name in council.names:
        assert name not in text

    # An audit behind the review is regraded afterwards: the issued version stays as it was.
    Audit.objects.filter(pk=council.audits[0].pk).update(
        overall_grade=grade(p.compliance_tool, "inadequate")
    )
    board = p.client_for(p.board_member).get(download)
    assert board.content == first
    assert board["ETag"] == f'"{review.sha256}"'
    assert client.get(download).content == first


def test_a_new_version_after_a_change_differs_and_both_are_kept(
    p: Personas, council: ReviewCouncil
) -> None:
    first = cycle_review_build(
        review=cycle_review_request(
            staff=p.senior_leader, cycle=council.cycle, audience="leaders", fmt="html"
        )
    )
    for audit in council.audits[:3]:
        Audit.objects.filter(pk=audit.pk).update(
            overall_grade=grade(p.compliance_tool, "inadequate")
        )
    second = cycle_review_build(
        review=cycle_review_request(
            staff=p.senior_leader, cycle=council.cycle, audience="leaders", fmt="html"
        )
    )
    kept = CycleReview.objects.get(pk=first.pk)
    assert bytes(kept.content or b"") == bytes(first.content or b"")
    assert kept.sha256 == first.sha256
    assert second.sha256 != first.sha256


def test_the_issued_pdf_is_a_pdf(p: Personas, council: ReviewCouncil) -> None:
    review = cycle_review_build(
        review=cycle_review_request(
            staff=p.senior_leader, cycle=council.cycle, audience="committee", fmt="pdf"
        )
    )
    assert review.status == "issued"
    assert bytes(review.content or b"").startswith(b"%PDF")
    response = p.client_for(p.board_member).get(
        reverse("reports:cycle-review-download", args=[review.public_id])
    )
    assert response.content == bytes(review.content or b"")
    assert response["Content-Type"] == "application/pdf"
