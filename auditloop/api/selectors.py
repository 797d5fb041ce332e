"""Reads of API tokens."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.api.models import ApiToken
from auditloop.reports.access.scopes import cycles_reviews_issuable, review_reader_filter
from auditloop.reports.models import Audience, CycleReview, ReviewStatus


def key_digest(key: str) -> str:
    """What is stored of a key: its SHA-256, never the key."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token with this key, with its user and staff record; None for a key that is
    unknown, revoked, or whose login has ended."""
    return (
        ApiToken.objects.select_related("user__staff")
        .filter(key_digest=key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_tokens_of(staff: StaffMember) -> QuerySet[ApiToken]:
    """`staff`'s own tokens, live and revoked, for their tokens page."""
    return (
        ApiToken.objects.filter(user_id=staff.user_id) if staff.user_id else ApiToken.objects.none()
    )


def cycle_reviews_readable(staff: StaffMember) -> list[CycleReview]:
    """The issued cycle reviews `staff` may read, newest first: the committee's versions of
    `review_reader_filter`, and the leaders' versions of the cycles whose reviews they may
    issue. Without their content. Four queries at most, however many reviews."""
    reviews = list(
        CycleReview.objects.filter(review_reader_filter(staff), status=ReviewStatus.ISSUED)
        .distinct()
        .select_related("cycle")
        .defer("content")
        .order_by("-issued_at", "-id")
    )
    leaders = cycles_reviews_issuable(
        staff, {r.cycle_id for r in reviews if r.audience == Audience.LEADERS}
    )
    return [r for r in reviews if r.audience != Audience.LEADERS or r.cycle_id in leaders]
