"""Reads of unsafe-child flags, always scoped to the person asking."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.models import Audit, Escalation
from auditloop.audits.selectors import services_overseen


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
    """Who may read which flag: whoever raised it, the team's managers, the head of service,
    and the audit leads and senior leaders over the service."""
    rule = Q(raised_by=staff) | _team_q("service__head_of_service", staff)
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        rule |= _team_q("id", staff.team_id)
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        rule |= _team_q("service_id__in", services_overseen(staff))
    return rule


def escalations_visible_to(staff: StaffMember) -> QuerySet[Escalation]:
    """Open flags first (oldest first: they have waited longest), then acknowledged ones."""
    return (
        Escalation.objects.filter(escalation_visibility_filter(staff))
        .select_related(
            "raised_by",
            "acknowledged_by",
            "audit__team",
            "audit__case__allocated_team",
        )
        # Open flags have no acknowledgement time: put them first on every database.
        .order_by(F("acknowledged_at").asc(nulls_first=True), "raised_at", "id")
    )


def escalations_open_for(staff: StaffMember) -> QuerySet[Escalation]:
    return escalations_visible_to(staff).filter(acknowledged_at__isnull=True)


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
