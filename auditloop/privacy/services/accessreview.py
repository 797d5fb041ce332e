"""Writes of the access review: a search of who has read a child's records (one event), and
the council's unusual reading thresholds."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, actor_login
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.privacy.access.accessreview import ACCESS_REVIEW_MINUTES
from auditloop.privacy.models import AccessReview, ReadingThresholds
from auditloop.privacy.selectors.accessreview import case_reviewable


@transaction.atomic
def access_review_open(*, case: ChildCase, by: StaffMember) -> AccessReview:
    """Start a review of who has read `case`'s records, for `by` (who must be allowed to
    review it): the search is kept under a random token for its pages, and recorded as one
    event. The reviewer's searches that have expired are deleted."""
    if by.user is None or not case_reviewable(by, case):
        raise ValidationError("You cannot review the reads of this child's records.")
    stale = timezone.now() - datetime.timedelta(minutes=ACCESS_REVIEW_MINUTES)
    AccessReview.objects.filter(reviewer=by.user, created_at__lt=stale).delete()
    review = AccessReview.objects.create(reviewer=by.user, case=case)
    event_record(
        actor=actor_login(by),
        verb="access_review.opened",
        target=case,
        summary="Who has read this child's records was looked up",
    )
    return review


THRESHOLD_FIELDS = ["cases_per_day", "exempt_roles", "count_lists"]


@transaction.atomic
def reading_thresholds_set(
    *, cases_per_day: int, exempt_roles: list[str], count_lists: bool, by: StaffMember
) -> ReadingThresholds:
    """Save the council's unusual reading thresholds (one event, with before and after)."""
    if cases_per_day < 1:
        raise ValidationError({"cases_per_day": "The number of children must be 1 or more."})
    unknown = set(exempt_roles) - set(Role.values)
    if unknown:
        raise ValidationError({"exempt_roles": "Choose roles from the list."})
    row, _ = ReadingThresholds.objects.select_for_update().get_or_create(pk=1)
    before = snapshot(row, THRESHOLD_FIELDS)
    row.cases_per_day = cases_per_day
    row.exempt_roles = sorted(set(exempt_roles))
    row.count_lists = count_lists
    row.updated_by = actor_login(by)
    row.save()
    event_record(
        actor=actor_login(by),
        verb="reading_thresholds.changed",
        target=row,
        summary="Unusual reading thresholds changed",
        before=before,
        after=snapshot(row, THRESHOLD_FIELDS),
    )
    return row
