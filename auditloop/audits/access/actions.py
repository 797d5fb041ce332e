"""Who may see and change an action: the visibility rule, the get-for-user helper and the
predicates. Reading an action is reading its audit: logged."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import F, Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_headed_by, services_overseen
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Audit,
    AuditType,
)
from auditloop.audits.rules import may_sign_off
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.rules import any_of_parts, any_of_parts_for_one_row, readable_key


def get_action_for_user(user: Any, public_id: UUID | str) -> Action:
    staff = staff_for(user)
    try:
        key = readable_key(
            Action.objects.filter(action_visibility_filter_for_one(staff), public_id=public_id)
        )
        action = (
            Action.objects.filter(pk=key)
            .select_related(
                "owner__team",
                "audit__team__service",
                "audit__auditor",
                "answer__question",
                "signed_off_by",
            )
            .get()
        )
    except (Action.DoesNotExist, ValueError) as exc:
        raise Http404("No action found.") from exc
    access_shown(user=user, targets=[action.audit], purpose=Purpose.ACTION)
    return action


def action_visibility_filter(staff: StaffMember) -> Q:
    """Who may read which action: its owner, whoever created it, the audit's auditor, the team
    manager of the owner's or the audit's team, the owner's line manager and the head of the
    audit team's service (who sign off a team manager's actions), and the audit leads and
    senior leaders over the service. A partner agency auditor reads none: they own no action,
    and those raised on their audit are the council's.

    The rule is the union of these parts (`auditloop.core.rules.any_of_parts`), each found by
    an index (the owner, the creator, the audit's auditor or team, the owner's manager or
    team), so that no read of it walks every action."""
    parts, wide = action_visibility_parts(staff)
    return any_of_parts(Action, parts, wide=wide)


def action_visibility_filter_for_one(staff: StaffMember) -> Q:
    """The same rule, for a look-up of one action by its key (its own page): the parts ORed
    (`any_of_parts_for_one_row`), which the database tests on that one row, where the union
    gathers every action each part admits to find one. Never for a list."""
    parts, wide = action_visibility_parts(staff)
    return any_of_parts_for_one_row(parts, wide=wide)


def actions_openable(staff: StaffMember, audit: Audit) -> set[int]:
    """Which of the audit's actions `staff` may open. The audit's page lists every action to
    whoever reads the audit, and links only these: a practitioner reads the audit, not an
    action their manager owns. One query, the rule tested on the audit's few actions (found
    by their audit's key) as on an action's own page."""
    return set(
        Action.objects.filter(action_visibility_filter_for_one(staff), audit=audit).values_list(
            "pk", flat=True
        )
    )


def action_visibility_parts(staff: StaffMember) -> tuple[list[Q], list[Q]]:
    """The parts of `action_visibility_filter`: an action is readable when any part admits it.
    The second list holds the part that admits whole services."""
    if staff.role == Role.PARTNER:
        return [], []
    parts = [Q(owner=staff), Q(audit__auditor=staff), Q(owner__manager=staff)]
    if staff.user_id is not None:
        parts.append(Q(created_by_id=staff.user_id))
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        parts += [Q(owner__team_id=staff.team_id), Q(audit__team_id=staff.team_id)]
    # The services whose actions they read whole: those they head, and for audit leads and
    # senior leaders those they oversee (by id, so the database knows how many rows to expect).
    services = set(services_headed_by(staff))
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        services |= set(services_overseen(staff))
    wide = [Q(audit__team__service_id__in=sorted(services))] if services else []
    return parts, wide


# What the services and the pages say when a predicate below answers no.
ACTION_CREATE_REFUSED = (
    "Only the auditor, an audit lead or the team manager can add actions to this audit."
)
ACTION_COMPLETE_REFUSED = "Only the action's owner can mark it as done."
ACTION_SIGN_OFF_REFUSED = (
    "Only a team manager of the audit's team can sign off this action, or send it back; "
    "an action a team manager owns goes to their own manager or the head of service."
)
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
    """Its owner alone: whoever signs it off then checks the owner's evidence."""
    return action.owner_id == staff.pk


def can_sign_off_action(staff: StaffMember, action: Action) -> bool:
    """Whether `staff` signs off this action or sends it back (`rules.may_sign_off`). Reads the
    owner and the audit's team and service; `get_action_for_user` loads them."""
    owner = action.owner
    team = action.audit.team
    return may_sign_off(
        signer_id=staff.pk,
        signer_role=staff.role,
        signer_team_id=staff.team_id,
        owner_id=owner.pk,
        owner_role=owner.role,
        owner_team_id=owner.team_id,
        owner_manager_id=owner.manager_id,
        audit_team_id=team.pk if team is not None else None,
        head_of_service_id=team.service.head_of_service_id if team is not None else None,
    )


def action_sign_off_filter(staff: StaffMember) -> Q:
    """The actions waiting for `staff` to sign them off: `may_sign_off` as a query, for lists.
    The tests hold the two to the same answers."""
    owner_manages_team = Q(owner__role=Role.TEAM_MANAGER, owner__team_id=F("audit__team_id"))
    rule = Q(audit__team__isnull=True, owner__manager=staff)
    rule |= owner_manages_team & (
        Q(owner__manager=staff) | Q(audit__team__service__head_of_service=staff)
    )
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        rule |= Q(audit__team_id=staff.team_id) & ~owner_manages_team
    return Q(status=ActionStatus.COMPLETED) & rule & ~Q(owner=staff)


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
