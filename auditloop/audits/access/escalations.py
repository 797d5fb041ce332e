"""Who may see and act on an unsafe-child flag: the visibility rule, the get-for-user helper and
the predicates. Reading a flag is reading its audit: logged."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import (
    Audit,
    AuditStatus,
    Escalation,
)
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.rules import readable_key


def get_escalation_for_user(
    user: Any, public_id: UUID | str, *, purpose: Purpose = Purpose.ESCALATION
) -> Escalation:
    """The flag, if `user` may see it; the read of its audit is logged with `purpose`."""
    staff = staff_for(user)
    try:
        key = readable_key(
            Escalation.objects.filter(escalation_visibility_filter(staff), public_id=public_id)
        )
        escalation = (
            Escalation.objects.filter(pk=key)
            .select_related(
                "raised_by",
                "acknowledged_by",
                "audit__auditor",
                "audit__team__service",
                "audit__case__allocated_team__service",
                "audit__tool_version__tool",
            )
            .get()
        )
    except (Escalation.DoesNotExist, ValueError) as exc:
        raise Http404("No unsafe-child flag found.") from exc
    access_shown(user=user, targets=[escalation.audit], purpose=purpose)
    return escalation


def escalation_team(escalation: Escalation) -> Team | None:
    """The team a flag is for: the case's allocated team, or the audit's when the case has none."""
    case = escalation.audit.case
    return case.allocated_team if case.allocated_team_id is not None else escalation.audit.team


def _team_q(lookup: str, value: object) -> Q:
    """`lookup` on the flag's team (see `escalation_team`), as one Q."""
    return Q(**{f"audit__case__allocated_team__{lookup}": value}) | Q(
        audit__case__allocated_team__isnull=True, **{f"audit__team__{lookup}": value}
    )


def escalation_visibility_filter(staff: StaffMember) -> Q:
    """Who may read which flag, and so act on it: whoever raised it, the team's managers, the
    head of service, and the audit leads and senior leaders over the service. They see the
    child's ID, the flagged audit (even in progress) and the case file."""
    rule = Q(raised_by=staff) | _team_q("service__head_of_service", staff)
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        rule |= _team_q("id", staff.team_id)
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        rule |= _team_q("service_id__in", services_overseen(staff))
    return rule


def escalations_openable(staff: StaffMember, audit: Audit) -> set[int]:
    """Which of the audit's unsafe-child flags `staff` may open: the audit's page lists them
    all to whoever reads the audit, and links only these (one query)."""
    return set(
        Escalation.objects.filter(escalation_visibility_filter(staff), audit=audit).values_list(
            "pk", flat=True
        )
    )


def can_acknowledge(staff: StaffMember, escalation: Escalation) -> bool:
    """A team manager of the flag's team, or the head of service of that team's service."""
    return can_acknowledge_on(staff, escalation.audit)


def can_acknowledge_on(staff: StaffMember, audit: Audit) -> bool:
    """Whether `staff` may acknowledge flags raised on `audit` (they all share its team)."""
    case = audit.case
    team = case.allocated_team if case.allocated_team_id is not None else audit.team
    if team is None:
        return False
    if staff.role == Role.TEAM_MANAGER and staff.team_id == team.pk:
        return True
    return team.service.head_of_service_id == staff.pk


ESCALATION_RAISE_AUDITOR_ONLY = "Only the audit's auditor can flag that the child is not safe."


def escalation_raise_refusal(staff: StaffMember, audit: Audit) -> str | None:
    """Why `staff` may not flag that the child in `audit` is not safe, or None if they may: the
    audit's auditor may, until the audit is completed."""
    if audit.auditor_id != staff.pk:
        return ESCALATION_RAISE_AUDITOR_ONLY
    if audit.status == AuditStatus.COMPLETED:
        return "This audit is completed. Raise your concern with the team manager directly."
    return None


def can_raise_escalation(staff: StaffMember, audit: Audit) -> bool:
    return escalation_raise_refusal(staff, audit) is None
