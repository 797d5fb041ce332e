"""Cycle reviews built in the background through Django's task framework (a database-backed
queue in production; `auditloop worker` runs it)."""

from __future__ import annotations

from django.tasks import task

from auditloop.reports.models import CycleReview
from auditloop.reports.services.reviews import cycle_review_build


@task()
def cycle_review_build_task(review_public_id: str) -> str:
    """Build one queued version of a cycle review; its page polls the row for progress."""
    review = CycleReview.objects.get(public_id=review_public_id)
    return str(cycle_review_build(review=review).status)
