"""Who may see and change training rules, needs and events.

Rules are the audit leads' (they set them; senior leaders read them). A training need is about
a team: the audit leads and senior leaders over its service read it, and its team manager;
practitioners, auditors, board members and administrators never do. Only an audit lead over
the team's service decides it (planned, met or dismissed). Training events are recorded by
audit leads and read by audit leads, senior leaders and team managers (a team manager sees the
attendance of their own team only).

An event is changed (its register, on the form or from a CSV) by the audit lead who recorded it,
or by an audit lead over a service one of its attendees or the needs it answers is in; each of
them adds and removes only the staff of the services they oversee (the form and the import
offer nobody else), so no lead can change another service's register.

The impact page compares the grades of the attendees' audits with those of the other
practitioners of the attendees' services. Only audit leads and senior leaders who oversee every
one of those services read it: they may read every audit behind its figures, so nobody can
subtract from the group figures the people they can read and be left with someone they cannot
(a team manager who reads four of five attendees' audits would read the fifth's grades off the
distribution). Its figures are still suppressed as every group figure is
(`rules/suppression.py`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.learning.models import TrainingEvent, TrainingNeed, TrainingRule

RULE_READERS = (Role.MODERATOR, Role.SENIOR_LEADER)
NEED_READERS = (Role.MODERATOR, Role.SENIOR_LEADER, Role.TEAM_MANAGER)
EVENT_READERS = NEED_READERS

LEADS_ONLY_RULES = "Only an audit lead sets training rules."
LEADS_ONLY_NEEDS = "Only an audit lead over this team's service decides its training needs."
LEADS_ONLY_EVENTS = "Only an audit lead records training events and who attended."
EVENT_NOT_YOURS = (
    "Only the audit lead who recorded this event, or an audit lead over the service of one of "
    "its attendees or of a need it answers, changes who attended."
)


def need_visibility_filter(staff: StaffMember) -> Q:
    """The needs `staff` may read: an audit lead's or senior leader's services' teams, a team
    manager's own team; nobody else's."""
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return Q(team__service_id__in=services_overseen(staff))
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        return Q(team_id=staff.team_id)
    return Q(pk__in=[])


def can_decide_need(staff: StaffMember, need: TrainingNeed) -> bool:
    return (
        staff.is_audit_lead
        and need.team is not None
        and need.team.service_id in services_overseen(staff)
    )


def get_rule_for_user(user: Any, public_id: UUID | str, *, write: bool = False) -> TrainingRule:
    staff = staff_for(user)
    if staff.role not in RULE_READERS:
        raise Http404("No training rule found.")
    try:
        rule = TrainingRule.objects.select_related("question", "theme").get(public_id=public_id)
    except (TrainingRule.DoesNotExist, ValueError) as exc:
        raise Http404("No training rule found.") from exc
    if write and not staff.is_audit_lead:
        raise PermissionDenied(LEADS_ONLY_RULES)
    return rule


def get_need_for_user(user: Any, public_id: UUID | str, *, write: bool = False) -> TrainingNeed:
    """The need, if `user` may read it (404 otherwise, as for one that does not exist); 403
    when asked to decide it and they may not. A need names no child and no worker."""
    staff = staff_for(user)
    try:
        need = (
            TrainingNeed.objects.filter(need_visibility_filter(staff))
            .select_related("rule", "cycle", "team__service", "question", "theme", "decided_by")
            .get(public_id=public_id)
        )
    except (TrainingNeed.DoesNotExist, ValueError) as exc:
        raise Http404("No training need found.") from exc
    if write and not can_decide_need(staff, need):
        raise PermissionDenied(LEADS_ONLY_NEEDS)
    return need


def get_event_for_user(user: Any, public_id: UUID | str, *, write: bool = False) -> TrainingEvent:
    staff = staff_for(user)
    if staff.role not in EVENT_READERS:
        raise Http404("No training event found.")
    try:
        event = TrainingEvent.objects.select_related(
            "question__section__version", "theme", "created_by"
        ).get(public_id=public_id)
    except (TrainingEvent.DoesNotExist, ValueError) as exc:
        raise Http404("No training event found.") from exc
    if write and not can_change_event(staff, event):
        raise PermissionDenied(EVENT_NOT_YOURS if staff.is_audit_lead else LEADS_ONLY_EVENTS)
    return event


def event_services(event: TrainingEvent) -> set[int]:
    """The services of the event's attendees' teams (those its impact page compares)."""
    return set(
        StaffMember.objects.filter(training_attended__event=event, team__isnull=False)
        .values_list("team__service_id", flat=True)
        .distinct()
    )


def can_change_event(staff: StaffMember, event: TrainingEvent) -> bool:
    """The audit lead who recorded it, or one over a service of its attendees or its needs."""
    if not staff.is_audit_lead:
        return False
    if event.created_by_id == staff.pk:
        return True
    concerned = event_services(event) | set(
        TrainingNeed.objects.filter(events=event, team__isnull=False).values_list(
            "team__service_id", flat=True
        )
    )
    return bool(concerned & set(services_overseen(staff)))


def can_read_impact(staff: StaffMember, event: TrainingEvent) -> bool:
    """An audit lead or senior leader over every service the impact page compares."""
    if staff.role not in RULE_READERS:
        return False
    return event_services(event) <= set(services_overseen(staff))


def get_event_impact_for_user(user: Any, public_id: UUID | str) -> TrainingEvent:
    """The event, if `user` may read its impact page (404 otherwise: see the module)."""
    event = get_event_for_user(user, public_id)
    if not can_read_impact(staff_for(user), event):
        raise Http404("No training event found.")
    return event
