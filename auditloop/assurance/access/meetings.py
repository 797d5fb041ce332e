"""Who may record and read a moderation meeting. A meeting's record names the audits discussed;
each item's audit (its link and the child's ID) is shown only to those who may read that audit,
by the audits' own rule."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, Service, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.models import MeetingItem, MeetingKind, ModerationMeeting

MEETING_RECORDERS = (Role.MODERATOR, Role.TEAM_MANAGER, Role.SENIOR_LEADER)


def managers_meeting_services(staff: StaffMember) -> list[int]:
    """The services in which `staff` may record managers' moderation: an audit lead's and a
    senior leader's services, a team manager's own team's service."""
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return services_overseen(staff)
    if staff.role == Role.TEAM_MANAGER and staff.team is not None:
        return [staff.team.service_id]
    return []


def meeting_kinds_for(staff: StaffMember) -> list[str]:
    """The kinds of meeting `staff` may record: the audit group's is the audit leads'."""
    kinds: list[str] = []
    if staff.is_audit_lead:
        kinds.append(MeetingKind.AUDIT_GROUP)
    if managers_meeting_services(staff):
        kinds.append(MeetingKind.MANAGERS)
    return kinds


def meeting_record_refusal(staff: StaffMember, kind: str, service: Service | None) -> str | None:
    """Why `staff` may not record a meeting of this kind (in this service), or None if they may."""
    if kind == MeetingKind.AUDIT_GROUP:
        if not staff.is_audit_lead:
            return "Only an audit lead records a meeting of the audit group."
        return None
    if kind != MeetingKind.MANAGERS:
        return "Choose the kind of meeting."
    if service is None:
        return "Choose the service whose managers met."
    if service.pk not in managers_meeting_services(staff):
        return f"You can record managers' moderation only in your own service, not {service.name}."
    return None


def meeting_visibility_filter(staff: StaffMember) -> Q:
    """Who may read which meeting: whoever attended or recorded it, and the audit leads and
    senior leaders over its service (a managers' meeting's) or the service of any audit
    discussed at it."""
    attended = Exists(
        ModerationMeeting.attendees.through.objects.filter(
            moderationmeeting_id=OuterRef("pk"), staffmember_id=staff.pk
        )
    )
    rule = Q(attended) | Q(recorded_by=staff)
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        overseen = services_overseen(staff)
        discussed = Exists(
            MeetingItem.objects.filter(meeting=OuterRef("pk"), audit__team__service_id__in=overseen)
        )
        rule |= Q(service_id__in=overseen) | Q(discussed)
    return rule


def get_meeting_for_user(user: Any, public_id: UUID | str) -> ModerationMeeting:
    """The meeting, if `user` may read it; 404 otherwise. The audits it names are logged by
    the page, for those the reader may read (see `meeting_items`)."""
    staff = staff_for(user)
    try:
        return (
            ModerationMeeting.objects.filter(meeting_visibility_filter(staff), public_id=public_id)
            .select_related("service", "recorded_by")
            .get()
        )
    except (ModerationMeeting.DoesNotExist, ValueError) as exc:
        raise Http404("No moderation meeting found.") from exc
