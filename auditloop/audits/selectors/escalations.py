"""Reads of unsafe-child flags, always scoped to the person asking."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.access.escalations import escalation_team, escalation_visibility_filter
from auditloop.audits.models import (
    Answer,
    Audit,
    ComplianceAnswer,
    Escalation,
)


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


def escalation_recipients(escalation: Escalation) -> list[StaffMember]:
    """Who is told at once of a new flag: the team manager(s) of the flag's team, that
    service's head of service, and the audit leads overseeing the service."""
    team = escalation_team(escalation)
    if team is None:
        return []
    service = team.service
    return list(
        StaffMember.objects.filter(is_active=True)
        .filter(
            Q(role=Role.TEAM_MANAGER, team=team)
            | Q(pk=service.head_of_service_id)
            | (Q(role=Role.MODERATOR) & (Q(services=service) | Q(team__service=service)))
        )
        .exclude(pk=escalation.raised_by_id)
        .distinct()
        .order_by("name", "pk")
    )


def escalation_raised_message(escalation: Escalation) -> str:
    """The notice of a new flag, shown in lists and emailed: never the child's ID."""
    team = escalation_team(escalation)
    return (
        f"Unsafe-child flag raised by {escalation.raised_by.name} on a case in "
        f"{team.name if team else 'no team'}. Read it today; the team manager or the head of "
        "service must acknowledge it today."
    )


def escalation_audit_fully_visible(staff: StaffMember, escalation: Escalation) -> bool:
    """Whether `staff` may read the flagged audit in full (its own page), rather than only what
    they need to act on the flag."""
    return Audit.objects.filter(audit_visibility_filter(staff), pk=escalation.audit_id).exists()


def escalation_concerns(escalation: Escalation) -> QuerySet[Answer]:
    """The auditor's notes behind a flag: every check answered "No" with its evidence note and
    every "worried about" note recorded on the audit so far, in the tool's order. Grades,
    strengths and draft findings are left out: they are the auditor's unfinished judgement."""
    return (
        Answer.objects.filter(audit_id=escalation.audit_id)
        .filter(Q(compliance=ComplianceAnswer.NO) | ~Q(worried_about=""))
        .select_related("question")
        .order_by("question__section__order", "question__order")
    )
