"""Who has a dashboard page: the roles with live figures (`DASHBOARD_ROLES`, scoped by
`dashboard_scope`) and board members, whose page has no live figures. Auditors (as such) and
administrators have none."""

from __future__ import annotations

from django.db.models import QuerySet

from auditloop.accounts.models import Role, StaffMember
from auditloop.reports.access.scopes import DASHBOARD_ROLES, review_reader_filter
from auditloop.reports.models import Audience, CycleReview, ReviewStatus

DASHBOARD_READERS = (*DASHBOARD_ROLES, Role.BOARD_MEMBER)


def committee_reviews_for(staff: StaffMember) -> QuerySet[CycleReview]:
    """The issued committee versions of the cycle reviews `staff` may read, newest first (the
    content itself is not loaded)."""
    return (
        CycleReview.objects.filter(
            review_reader_filter(staff),
            status=ReviewStatus.ISSUED,
            audience=Audience.COMMITTEE,
        )
        .distinct()
        .select_related("cycle")
        .defer("content")
        .order_by("-issued_at", "-id")
    )
