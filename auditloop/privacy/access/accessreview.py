"""Who may review whose reading, and the get-for-user helpers of the access review's pages.

The review of one child is found by a random token (an `AccessReview`'s public id) that only
the person who searched can open, for ACCESS_REVIEW_MINUTES: the child's ID is typed into a
POST form and never goes into a URL. A reader's day is found by the reader's public id and
the date."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.privacy.models import AccessReview
from auditloop.privacy.selectors.accessreview import case_reviewable, readers_in_scope_filter

# Who sets the unusual reading thresholds: the DPO and an administrator. (Who reads the
# review and the report is ACCESS_REVIEW_ROLES, in roles.py.)
READING_THRESHOLD_ROLES = (Role.ADMINISTRATOR, Role.DATA_PROTECTION)

# How long the pages of one search can be turned before the ID must be typed again.
ACCESS_REVIEW_MINUTES = 30


class AccessReviewExpired(Exception):
    """The person's own search, too old to open: they search again."""


def access_review_expired(review: AccessReview, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return review.created_at < now - datetime.timedelta(minutes=ACCESS_REVIEW_MINUTES)


def get_access_review_for_user(user: Any, public_id: UUID | str) -> AccessReview:
    """The user's own search, if its child is still theirs to review; 404 for anyone else's
    search or an unknown one, AccessReviewExpired for their own that is too old."""
    staff = staff_for(user)
    try:
        review = AccessReview.objects.select_related("case").get(
            public_id=public_id, reviewer_id=user.pk
        )
    except (AccessReview.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No search found.") from exc
    if not case_reviewable(staff, review.case):
        raise Http404("No search found.")
    if access_review_expired(review):
        raise AccessReviewExpired
    return review


def get_reader_for_user(staff: StaffMember, public_id: UUID | str) -> StaffMember:
    """A member of staff whose reading `staff` may look into (the unusual reading report's
    scope); 404 for anyone else, as for one who does not exist."""
    try:
        return (
            StaffMember.objects.filter(
                readers_in_scope_filter(staff), public_id=public_id, user__isnull=False
            )
            .select_related("team", "user")
            .get()
        )
    except (StaffMember.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No member of staff found.") from exc
