"""Who reads which cycle review, and the get-for-user helper for one: 404 for a version the
reader may not see, exactly as for one that does not exist.

- The committee's version, once issued: board members, audit leads and senior leaders over any
  of the cycle's services (`review_reader_filter`).
- The leaders' version, and any version still waiting, being built or failed: only those who
  may issue the cycle's reviews (`may_issue_reviews`: an audit lead or senior leader over every
  service of the cycle).

Every list and every page asks `reviews_visible_to`; nothing else decides.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, Service, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.reports.access.scopes import may_issue_reviews, review_reader_filter
from auditloop.reports.models import Audience, CycleReview, ReviewStatus
from auditloop.sampling.models import Cycle

# The roles that may read some cycle review (and so reach the cycle reviews pages at all).
REVIEW_ROLES = (Role.BOARD_MEMBER, Role.MODERATOR, Role.SENIOR_LEADER)
# The roles that may issue one, for the cycles whose every service they oversee.
ISSUER_ROLES = (Role.MODERATOR, Role.SENIOR_LEADER)


def cycles_reviewable_by(staff: StaffMember) -> QuerySet[Cycle]:
    """The cycles whose reviews `staff` may issue: `may_issue_reviews` asked of every cycle at
    once (no service of the cycle outside those `staff` oversees). Two queries."""
    if staff.role not in ISSUER_ROLES:
        return Cycle.objects.none()
    outside = Service.objects.exclude(pk__in=services_overseen(staff))
    # A cycle with no service is reviewable by no one (`may_issue_reviews`).
    return Cycle.objects.exclude(services=None).exclude(services__in=outside)


def reviews_visible_to(staff: StaffMember) -> QuerySet[CycleReview]:
    """Every version of a cycle review `staff` may read, newest first, without its content
    (the bytes are read only by the download)."""
    if staff.role not in REVIEW_ROLES:
        return CycleReview.objects.none()
    issued_committee = Q(status=ReviewStatus.ISSUED, audience=Audience.COMMITTEE)
    readable = (issued_committee & review_reader_filter(staff)) | Q(
        cycle__in=cycles_reviewable_by(staff)
    )
    # A subquery of ids: the services join would list a review once per service.
    ids = CycleReview.objects.filter(readable).values("pk")
    return (
        CycleReview.objects.filter(pk__in=ids)
        .select_related("cycle", "requested_by")
        .defer("content")
    )


def get_review_for_user(user: Any, public_id: UUID, *, content: bool = False) -> CycleReview:
    """The version of a cycle review, if `user` may read it (with its bytes when `content`);
    403 for a role that reads no review, 404 for anything else they may not see."""
    staff = staff_for(user)
    if staff.role not in REVIEW_ROLES:
        raise PermissionDenied("Only board members, audit leads and senior leaders read reviews.")
    reviews = reviews_visible_to(staff)
    if content:
        reviews = reviews.defer(None).select_related("cycle", "requested_by")
    try:
        return reviews.get(public_id=public_id)
    except (CycleReview.DoesNotExist, ValueError) as exc:
        raise Http404("No cycle review found.") from exc


def may_issue_review_of(staff: StaffMember, review: CycleReview) -> bool:
    """Whether `staff` may issue (and so read every version of) `review`'s cycle."""
    return may_issue_reviews(staff, review.cycle)
