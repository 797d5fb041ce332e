"""Reads of audits, always scoped to the person asking."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Answer, Audit, AuditStatus, Participant

# A practitioner and their team manager see an audit once it has been submitted.
SHARED_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.COMPLETED)


def services_overseen(staff: StaffMember) -> list[int]:
    """Ids of the services a moderator, senior leader or board member looks across."""
    ids = set(staff.services.values_list("id", flat=True))
    if staff.team_id is not None and staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        ids.add(staff.team.service_id)  # type: ignore[union-attr]
    return sorted(ids)


def audit_visibility_filter(staff: StaffMember) -> Q:
    """The rule, as one Q: who may read which audit. Used by lists and by the access helper."""
    # A subquery, not a join: a join would repeat an audit per participant and make every list
    # SELECT DISTINCT over all its columns (four times slower on the large council).
    mine = Q(auditor=staff) | Q(
        Exists(Participant.objects.filter(audit=OuterRef("pk"), staff=staff))
    )
    if staff.role == Role.PRACTITIONER:
        return mine | Q(practitioner=staff, status__in=SHARED_STATUSES)
    if staff.role == Role.TEAM_MANAGER:
        shared = Q(status__in=SHARED_STATUSES) & (Q(team_id=staff.team_id) | Q(practitioner=staff))
        return mine | shared if staff.team_id is not None else mine
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return mine | Q(team__service_id__in=services_overseen(staff))
    if staff.role == Role.AUDITOR:
        return mine
    # Board members read anonymised aggregates; administrators see no case content by default.
    return Q(pk__in=[])


def audits_visible_to(staff: StaffMember) -> QuerySet[Audit]:
    return Audit.objects.filter(audit_visibility_filter(staff)).select_related(
        "case", "auditor", "practitioner", "team", "overall_grade", "tool_version__tool"
    )


def audits_matching(
    audits: QuerySet[Audit],
    *,
    status: str = "",
    audit_type: str = "",
    submitted_since: datetime.date | None = None,
) -> QuerySet[Audit]:
    """`audits` narrowed by the list's filters (the page's and the API's); blank means any."""
    if status:
        audits = audits.filter(status=status)
    if audit_type:
        audits = audits.filter(audit_type=audit_type)
    if submitted_since is not None:
        audits = audits.filter(submitted_at__date__gte=submitted_since)
    return audits


def audit_answers(audit: Audit) -> QuerySet[Answer]:
    """The audit's answers in the tool's order, with their questions and grades. The audit
    comes from `get_audit_for_user`, which decided (and logged) the read."""
    return (
        Answer.objects.filter(audit=audit)
        .select_related("question", "grade")
        .order_by("question__section__order", "question__order")
    )
