"""What a dashboard shows besides its figures: the words for whose figures they are, and the
board member's published key messages (their issued reviews are
`auditloop.reports.access.dashboards.committee_reviews_for`)."""

from __future__ import annotations

from django.db.models import QuerySet

from auditloop.accounts.models import Service, StaffMember, Team
from auditloop.learning.models import KeyMessage, KeyMessageStatus
from auditloop.learning.selectors.key_messages import key_messages_visible_to
from auditloop.reports.selectors.scope import ReportScope

# The board member's page shows the newest key messages; the rest are on the key messages list.
KEY_MESSAGES_SHOWN = 10


def scope_words(scope: ReportScope) -> str:
    """Whose figures these are, in words that name no person: "Your own audited cases", "Your
    team: North A", "Your services: North, South"."""
    if scope.is_own:
        return "Your own audited cases"
    if scope.team_ids is not None:
        names = list(
            Team.objects.filter(pk__in=scope.team_ids)
            .order_by("name")
            .values_list("name", flat=True)
        )
        return "Your team: " + _joined(names)
    names = list(
        Service.objects.filter(pk__in=scope.service_ids)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return ("Your service: " if len(names) == 1 else "Your services: ") + _joined(names)


def _joined(names: list[str]) -> str:
    # Commas only: services are often named "Children in Care and Care Leavers".
    return ", ".join(names)


def published_key_messages_for(staff: StaffMember) -> QuerySet[KeyMessage]:
    """The published key messages `staff` may read, newest first."""
    return key_messages_visible_to(staff).filter(status=KeyMessageStatus.PUBLISHED)
