"""Reads of moderation meetings, scoped to the person asking: the list, one meeting's items
(each audit shown only to those who may read it), the audits a recorder may name by their
reference, and whom they may record as attending."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from auditloop.accounts.models import AUDITING_ROLES, Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.access.meetings import (
    managers_meeting_services,
    meeting_visibility_filter,
)
from auditloop.assurance.models import MeetingItem, ModerationMeeting
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.models import Audit

# An audit's reference is the start of its public id (`Audit.reference`): eight hexadecimal
# characters or more, any dashes and spaces ignored.
REFERENCE = re.compile(r"\A[0-9a-f]{8,32}\Z")


def meetings_visible_to(staff: StaffMember) -> QuerySet[ModerationMeeting]:
    """The meetings `staff` may read, latest first, each with `audit_count` and
    `attendee_count` (one query)."""
    # A partner agency auditor counts only their own audits among those discussed.
    theirs = Q(items__audit__auditor=staff) if staff.role == Role.PARTNER else None
    return (
        ModerationMeeting.objects.filter(meeting_visibility_filter(staff))
        .select_related("service", "recorded_by")
        .annotate(
            audit_count=Count("items", distinct=True, filter=theirs),
            attendee_count=Count("attendees", distinct=True),
        )
        .order_by("-held_on", "-id")
    )


def meeting_attendees(meeting: ModerationMeeting) -> QuerySet[StaffMember]:
    return meeting.attendees.select_related("team").order_by("name", "pk")


@dataclass(frozen=True)
class ItemRow:
    """One audit discussed. `readable`: whether the person looking may read the audit, and so
    see its link and the child's ID."""

    item: MeetingItem
    readable: bool
    # The audit is the partner agency auditor's own, read on their own page.
    own_partner_audit: bool = False

    @property
    def audit(self) -> Audit:
        return self.item.audit


def meeting_items(meeting: ModerationMeeting, staff: StaffMember) -> list[ItemRow]:
    """The audits discussed, in the order recorded, each with whether `staff` may read it (two
    queries). A partner agency auditor is shown only their own audits among them, with what
    was said of those: nothing of the others, not even that they were discussed."""
    found = MeetingItem.objects.filter(meeting=meeting)
    if staff.role == Role.PARTNER:
        return [
            ItemRow(item=i, readable=False, own_partner_audit=True)
            for i in found.filter(audit__auditor=staff)
            .select_related("audit__tool_version__tool")
            .order_by("id")
        ]
    items = list(
        found.select_related("audit__case", "audit__team", "audit__tool_version__tool").order_by(
            "id"
        )
    )
    readable = set(
        Audit.objects.filter(
            audit_visibility_filter(staff), pk__in=[i.audit_id for i in items]
        ).values_list("pk", flat=True)
    )
    return [ItemRow(item=i, readable=i.audit_id in readable) for i in items]


def reference_normalised(text: str) -> str:
    """The reference as the lookup wants it: lower case, without spaces or dashes."""
    return re.sub(r"[\s-]", "", text).lower()


def _dashed(hex_prefix: str) -> str:
    """The start of a public id as its canonical text has it (8-4-4-4-12, with dashes), which
    PostgreSQL compares against; SQLite stores the id without dashes and Django strips them."""
    parts, start = [], 0
    for end in (8, 12, 16, 20, 32):
        if start >= len(hex_prefix):
            break
        parts.append(hex_prefix[start:end])
        start = end
    return "-".join(parts)


def audits_by_reference(staff: StaffMember, text: str) -> list[Audit]:
    """The audits `staff` may read whose reference starts `text` (at most two: one is a match,
    two say that more of it is needed). None for text that cannot be a reference."""
    wanted = reference_normalised(text)
    if not REFERENCE.match(wanted):
        return []
    return list(
        Audit.objects.filter(audit_visibility_filter(staff), public_id__istartswith=_dashed(wanted))
        .select_related("case", "team__service", "tool_version__tool")
        .order_by("pk")[:2]
    )


def meeting_attendee_candidates(staff: StaffMember) -> QuerySet[StaffMember]:
    """Whom `staff` may record as attending: active staff who can audit, in a team of the
    services they may record meetings for (or oversee), or overseeing one of them; by name."""
    services = sorted(set(managers_meeting_services(staff)) | set(services_overseen(staff)))
    overseeing = Exists(
        StaffMember.services.through.objects.filter(
            staffmember_id=OuterRef("pk"), service_id__in=services
        )
    )
    # A partner agency auditor with an audit in those services takes part in the audit group's
    # moderation of it.
    partner = Q(role=Role.PARTNER) & Q(
        Exists(Audit.objects.filter(auditor=OuterRef("pk"), team__service_id__in=services))
    )
    return (
        StaffMember.objects.filter(is_active=True)
        .filter(
            (Q(role__in=AUDITING_ROLES) & (Q(team__service_id__in=services) | Q(overseeing)))
            | partner
        )
        .select_related("team")
        .order_by("name", "pk")
    )
