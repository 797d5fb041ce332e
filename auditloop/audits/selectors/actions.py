"""Reads of actions, always scoped to the person asking."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.access.actions import action_visibility_filter
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Audit,
)


def today() -> datetime.date:
    return timezone.localdate()


def actions_visible_to(staff: StaffMember) -> QuerySet[Action]:
    """Every action `staff` may open (`action_visibility_filter`), soonest due first: what
    `get_action_for_user` answers and what the API lists."""
    return (
        Action.objects.filter(action_visibility_filter(staff))
        .select_related("owner", "audit")
        .order_by("due_date", "id")
    )


def actions_matching(
    actions: QuerySet[Action], *, status: str = "", overdue: bool = False
) -> QuerySet[Action]:
    """`actions` narrowed to one status (blank for any) and, with `overdue`, to the open ones
    past their due date, as on the "Overdue" tab."""
    if status:
        actions = actions.filter(status=status)
    if overdue:
        actions = actions_filtered(actions, "overdue")
    return actions


def _listed(qs: QuerySet[Action]) -> QuerySet[Action]:
    return qs.select_related("owner__team", "audit__team").order_by("due_date", "id")


def actions_filtered(qs: QuerySet[Action], show: str) -> QuerySet[Action]:
    """`show`: "open" (the default), "overdue" (open and past their due date) or "closed"."""
    if show == "overdue":
        return qs.filter(status=ActionStatus.OPEN, due_date__lt=today())
    if show == "closed":
        return qs.exclude(status=ActionStatus.OPEN).order_by("-due_date", "-id")
    return qs.filter(status=ActionStatus.OPEN)


def actions_owned_by(staff: StaffMember) -> QuerySet[Action]:
    return _listed(Action.objects.filter(owner=staff))


def actions_overseen_by(staff: StaffMember) -> QuerySet[Action]:
    """A team manager's team actions; an audit lead's or senior leader's service actions."""
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        scope = Q(owner__team_id=staff.team_id) | Q(audit__team_id=staff.team_id)
    elif staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        scope = Q(audit__team__service_id__in=services_overseen(staff))
    else:
        return Action.objects.none()
    return _listed(Action.objects.filter(scope))


def action_owner_choices(audit: Audit) -> QuerySet[StaffMember]:
    """Who can own an action from this audit: the audit's team, its practitioner, its auditor."""
    rule = Q(pk=audit.auditor_id)
    if audit.practitioner_id is not None:
        rule |= Q(pk=audit.practitioner_id)
    if audit.team_id is not None:
        rule |= Q(team_id=audit.team_id)
    return StaffMember.objects.filter(rule, is_active=True).order_by("name")
