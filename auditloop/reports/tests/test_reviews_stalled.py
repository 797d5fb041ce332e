"""A build that dies is not stuck for good: a fault while issuing leaves the version failed, and
a version still waiting or being built long after it was asked for is shown, and treated, as
failed, so that its page stops polling and it can be issued again."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from auditloop.core.models import Event
from auditloop.reports import documents
from auditloop.reports.models import CycleReview, ReviewStatus
from auditloop.reports.services import reviews as service
from auditloop.reports.services.reviews import (
    FAILED_WORDS,
    STALLED_AFTER,
    STOPPED_WORDS,
    cycle_review_build,
    cycle_review_request,
)
from auditloop.reports.tests.reviews_support import FakeDocument, issued, make_cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def test_a_fault_while_issuing_leaves_the_review_failed_not_building(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "cycle_review_bytes", FakeDocument())

    def broken(review: CycleReview, content: bytes) -> CycleReview:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "_issued", broken)
    review = cycle_review_request(
        staff=p.moderator, cycle=make_cycle(p.north), audience="committee", fmt="pdf"
    )
    built = cycle_review_build(review=review)
    assert (built.status, built.failure, built.content) == (ReviewStatus.FAILED, FAILED_WORDS, None)
    assert Event.objects.filter(verb="cycle_review.failed").count() == 1


def asked_for(review: CycleReview, ago: datetime.timedelta) -> None:
    CycleReview.objects.filter(pk=review.pk).update(requested_at=timezone.now() - ago)


@pytest.mark.parametrize("page", ["", "progress"])
def test_a_review_stuck_waiting_or_building_is_shown_as_stopped_so_it_can_be_issued_again(
    p: Personas, page: str
) -> None:
    cycle = make_cycle(p.north)
    late = STALLED_AFTER + datetime.timedelta(minutes=1)
    stuck = issued(p, cycle, status=ReviewStatus.BUILDING)
    waiting = issued(p, cycle, status=ReviewStatus.QUEUED)
    recent = issued(p, cycle, status=ReviewStatus.BUILDING)
    asked_for(stuck, late)
    asked_for(waiting, late)
    asked_for(recent, datetime.timedelta(minutes=5))
    response = p.client_for(p.moderator).get(f"/cycle-reviews/{stuck.public_id}/{page}")
    assert response.status_code == 200
    assert STOPPED_WORDS in response.content.decode()
    statuses = dict(CycleReview.objects.values_list("pk", "status"))
    assert statuses == {
        stuck.pk: ReviewStatus.FAILED,
        waiting.pk: ReviewStatus.FAILED,
        recent.pk: ReviewStatus.BUILDING,
    }
    assert Event.objects.filter(verb="cycle_review.failed").count() == 2
    # A worker that wakes up late builds nothing over it.
    with pytest.raises(ValueError, match="already been started"):
        cycle_review_build(review=waiting)


def test_the_list_marks_a_stuck_review_stopped(p: Personas) -> None:
    stuck = issued(p, make_cycle(p.north), status=ReviewStatus.QUEUED)
    asked_for(stuck, STALLED_AFTER + datetime.timedelta(minutes=1))
    response = p.client_for(p.moderator).get("/cycle-reviews/")
    assert response.status_code == 200
    stuck.refresh_from_db()
    assert (stuck.status, stuck.failure) == (ReviewStatus.FAILED, STOPPED_WORDS)


def test_a_build_finishing_after_it_was_marked_stopped_stays_failed(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = cycle_review_request(
        staff=p.moderator, cycle=make_cycle(p.north), audience="committee", fmt="pdf"
    )

    def slow(**kwargs: object) -> bytes:
        asked_for(review, STALLED_AFTER + datetime.timedelta(minutes=1))
        service.cycle_reviews_stalled_fail()
        return b"%PDF-1.7 late"

    monkeypatch.setattr(documents, "cycle_review_bytes", slow)
    built = cycle_review_build(review=review)
    assert (built.status, built.content) == (ReviewStatus.FAILED, None)
    assert not Event.objects.filter(verb="cycle_review.issued").exists()
