"""Issuing a cycle review: asked for by an audit lead or senior leader, built in the background
(its progress saved to the row step by step, for the page that polls it), then kept byte for
byte with its SHA-256, who issued it and when. An issued version is never changed or deleted;
a new version is issued instead."""

from __future__ import annotations

import datetime
import hashlib
import logging
import traceback

from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.reports import documents
from auditloop.reports.access.scopes import may_issue_reviews
from auditloop.reports.models import Audience, CycleReview, ReviewFormat, ReviewStatus
from auditloop.sampling.models import Cycle

logger = logging.getLogger(__name__)

FAILED_WORDS = (
    "This review could not be built because of a fault in auditloop, not in the audits. "
    "Nothing was issued. Issue it again, or tell the service desk if it fails again."
)
STOPPED_WORDS = (
    "The build stopped before this review was issued, so nothing was issued. Issue it again, "
    "or tell the service desk if it stops again."
)
# A version still waiting or being built this long after it was asked for has stopped (its
# worker was killed or lost): it is shown and treated as failed, so that it can be issued again.
STALLED_AFTER = datetime.timedelta(minutes=30)
STEP_MAX = CycleReview._meta.get_field("step").max_length or 150


@transaction.atomic
def cycle_review_request(
    *, staff: StaffMember, cycle: Cycle, audience: str, fmt: str
) -> CycleReview:
    """Queue a new version of `cycle`'s review for `audience` as `fmt`, asked for by `staff`.
    The caller enqueues `cycle_review_build_task` once this commits."""
    if audience not in Audience.values:
        raise Refused("Select who the review is for", field="audience")
    if fmt not in ReviewFormat.values:
        raise Refused("Select the format of the review", field="format")
    if not may_issue_reviews(staff, cycle):
        raise Refused(
            "Only an audit lead or a senior leader who oversees every service of this cycle "
            "can issue its review.",
            field="cycle",
        )
    if cycle.starts_on > timezone.localdate():
        raise Refused(
            "This cycle has not started yet, so there is nothing to review.", field="cycle"
        )
    review = CycleReview.objects.create(
        cycle=cycle,
        audience=audience,
        format=fmt,
        status=ReviewStatus.QUEUED,
        step="Waiting to start",
        requested_by=staff,
        created_by=actor_login(staff),
    )
    event_record(
        actor=actor_login(staff),
        verb="cycle_review.requested",
        target=review,
        summary=f"{review} asked for",
        after={"cycle": str(cycle.public_id), "audience": audience, "format": fmt},
    )
    return review


def _progress_saver(review: CycleReview) -> documents.Progress:
    """Saves each step to the row in its own small update (outside any transaction of the
    build), so that the page polling the review sees it as it happens."""

    def save(percent: int, words: str) -> None:
        CycleReview.objects.filter(pk=review.pk, status=ReviewStatus.BUILDING).update(
            progress=max(1, min(99, int(percent))), step=str(words)[:STEP_MAX]
        )

    return save


def cycle_review_build(*, review: CycleReview) -> CycleReview:
    """Build a queued version (the background task calls this) and issue it; on a fault, mark
    it failed with words that name no child and no data, and log the fault without its
    message (which could quote data). A version already started is refused."""
    claimed = CycleReview.objects.filter(pk=review.pk, status=ReviewStatus.QUEUED).update(
        status=ReviewStatus.BUILDING, progress=1, step="Starting"
    )
    if not claimed:
        raise ValueError("This cycle review has already been started; it cannot be built twice.")
    review = CycleReview.objects.select_related("cycle", "requested_by").get(pk=review.pk)
    try:
        content = documents.cycle_review_bytes(
            cycle=review.cycle,
            audience=review.audience,
            fmt=review.format,
            on_progress=_progress_saver(review),
        )
        if not isinstance(content, bytes) or not content:
            raise TypeError("The cycle review document came back empty.")
        return _issued(review, content)
    except Exception as exc:
        # The traceback's frames, never the exception's message: it could quote a figure or
        # a name from the data the review was built from.
        logger.error(
            "Cycle review %s could not be built (%s):\n%s",
            review.public_id,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        return _failed(review, words=FAILED_WORDS, was=ReviewStatus.BUILDING)


def cycle_reviews_stalled_fail() -> int:
    """Mark failed every version still waiting or being built `STALLED_AFTER` after it was
    asked for (its worker died, or it was never run), one event each, so that no page polls
    it for ever and it can be issued again. The pages listing and showing versions call this
    before reading them. How many were marked."""
    stalled = list(
        CycleReview.objects.filter(
            status__in=[ReviewStatus.QUEUED, ReviewStatus.BUILDING],
            requested_at__lt=timezone.now() - STALLED_AFTER,
        )
        .select_related("cycle", "requested_by")
        .defer("content")
    )
    for review in stalled:
        _failed(review, words=STOPPED_WORDS, was=review.status)
    return len(stalled)


@transaction.atomic
def _issued(review: CycleReview, content: bytes) -> CycleReview:
    """Issue the version being built; nothing when it is no longer being built (marked
    failed as stalled meanwhile: it stays failed, and is issued again as a new version)."""
    issued = CycleReview.objects.filter(pk=review.pk, status=ReviewStatus.BUILDING).update(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        issued_at=timezone.now(),
        status=ReviewStatus.ISSUED,
        progress=100,
        step="Issued",
        failure="",
    )
    review.refresh_from_db()
    if not issued:
        return review
    event_record(
        actor=actor_login(review.requested_by),
        verb="cycle_review.issued",
        target=review,
        summary=f"{review} issued",
        after={
            "cycle": str(review.cycle.public_id),
            "audience": review.audience,
            "format": review.format,
            "size": review.size,
            "sha256": review.sha256,
        },
    )
    return review


@transaction.atomic
def _failed(review: CycleReview, *, words: str, was: str) -> CycleReview:
    """Mark failed the version, if it is still `was` (queued or building); one event."""
    failed = CycleReview.objects.filter(pk=review.pk, status=was).update(
        status=ReviewStatus.FAILED, step="Stopped", failure=words, content=None
    )
    review.refresh_from_db()
    if not failed:
        return review
    event_record(
        actor=actor_login(review.requested_by),
        verb="cycle_review.failed",
        target=review,
        summary=f"{review} could not be built",
        after={"audience": review.audience, "format": review.format},
    )
    return review
