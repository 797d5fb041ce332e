"""The demo council's cycle review: the committee's version (PDF) of the latest cycle that has
ended, issued by the demo audit lead (login `moderator`) through the product's own services,
so that a board member signing in finds it on the cycle reviews page.

Built last, after the key messages it reports; its public id comes from the build's seeded
generator and its times are fixed after the cycle's end, so the same seed and day give the
same row (the document itself says the day it was built on).
"""

from __future__ import annotations

import datetime as dt
import random

from auditloop.accounts.models import StaffMember
from auditloop.core.models import Event
from auditloop.demo.council import Council, new_uuid
from auditloop.reports.models import Audience, CycleReview, ReviewFormat, ReviewStatus
from auditloop.reports.services.reviews import cycle_review_build, cycle_review_request
from auditloop.sampling.models import Cycle


def cycle_reviews_history(*, council: Council, rng: random.Random, today: dt.date) -> None:
    """The committee's review of the latest ended cycle (the builder's one call for this
    part). Nothing when no cycle has ended yet."""
    cycle = Cycle.objects.filter(ends_on__lt=today).order_by("-ends_on", "-id").first()
    if cycle is None:
        return
    lead = StaffMember.objects.get(pk=council.demo["moderator"])
    review = cycle_review_request(
        staff=lead, cycle=cycle, audience=Audience.COMMITTEE, fmt=ReviewFormat.PDF
    )
    old, new = str(review.public_id), new_uuid(rng)
    CycleReview.objects.filter(pk=review.pk).update(public_id=new)
    review.refresh_from_db()
    review = cycle_review_build(review=review)
    if review.status != ReviewStatus.ISSUED:
        raise RuntimeError("The demo council's cycle review could not be built.")
    day = min(cycle.ends_on + dt.timedelta(days=21), today - dt.timedelta(days=3))
    issued = dt.datetime.combine(day, dt.time(11, 0), dt.UTC)
    CycleReview.objects.filter(pk=review.pk).update(
        requested_at=issued - dt.timedelta(minutes=2), issued_at=issued
    )
    Event.objects.filter(target_type="reports.cyclereview", target_id__in=[old, str(new)]).update(
        target_id=str(new), at=issued
    )
