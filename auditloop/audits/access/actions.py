"""Who may see and change an action: the visibility rule, the get-for-user helper and the
predicates. Reading an action is reading its audit: logged."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import (
    Action,
    Audit,
    AuditType,
)
from auditloop.core.accesslog import Purpose, access_shown


def get_action_for_user(user: Any, public_id: UUID | str) -> Action:
    staff = staff_for(user)
    try:
        action = (
            Action.objects.filter(action_visibility_filter(staff), public_id=public_id)
            .select_related(
                "owner__team", "audit__team__service", "audit__auditor", "answer__question"
            )
            .distinct()
            .get()
        )
    except (Action.DoesNotExist, ValueError) as exc:
        raise Http404("No action found.") from exc
    access_shown(user=user, targets=[action.audit], purpose=Purpose.ACTION)
    return action


def action_visibility_filter(staff: StaffMember) -> Q:
    """Who may read which action: its owner, whoever created it, the audit's auditor, the team
    manager of the owner's or the audit's team, and the audit leads and senior leaders over
    the service."""
    rule = Q(owner=staff) | Q(audit__auditor=staff)
    if staff.user_id is not None:
        rule |= Q(created_by_id=staff.user_id)
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        rule |= Q(owner__team_id=staff.team_id) | Q(audit__team_id=staff.team_id)
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        rule |= Q(audit__team__service_id__in=services_overseen(staff))
    return rule


# What the services and the pages say when a predicate below answers no.
ACTION_CREATE_REFUSED = (
    "Only the auditor, an audit lead or the team manager can add actions to this audit."
)
ACTION_COMPLETE_REFUSED = "Only the action's owner or their team manager can complete it."
ACTION_CANCEL_REFUSED = "Only whoever created the action or an audit lead can cancel it."


def can_create_action(staff: StaffMember, audit: Audit) -> bool:
    """The audit's auditor, an audit lead over its service, or its team's manager; never on a
    calibration audit, which raises no action on the team."""
    if audit.audit_type == AuditType.CALIBRATION:
        return False
    if audit.auditor_id == staff.pk:
        return True
    if audit.team_id is None:
        return False
    if staff.role == Role.TEAM_MANAGER:
        return staff.team_id == audit.team_id
    if staff.role == Role.MODERATOR:
        return audit.team.service_id in services_overseen(staff)  # type: ignore[union-attr]
    return False


def can_complete_action(staff: StaffMember, action: Action) -> bool:
    """Its owner, or the owner's team manager."""
    owner = action.owner
    if owner.pk == staff.pk or owner.manager_id == staff.pk:
        return True
    return (
        staff.role == Role.TEAM_MANAGER
        and staff.team_id is not None
        and staff.team_id == owner.team_id
    )


def can_cancel_action(staff: StaffMember, action: Action) -> bool:
    """Whoever created it, or an audit lead over the audit's service."""
    if staff.user_id is not None and action.created_by_id == staff.user_id:
        return True
    team = action.audit.team
    return (
        staff.role == Role.MODERATOR
        and team is not None
        and team.service_id in services_overseen(staff)
    )
