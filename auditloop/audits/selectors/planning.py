"""Reads for planning an audit, scoped to the audit lead: finding a case by its LA child ID,
what the lead needs to know about it, and whom they may choose to audit it.

Each is one query however many cases, audits or staff the service holds, so the page stays
fast for a regional deployment (400,000 cases)."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import Audit, AuditStatus
from auditloop.audits.rules import auditor_is_independent
from auditloop.audits.selectors.audits import audits_visible_to
from auditloop.cases.models import ChildCase

# How far back the lead is shown a case's earlier audits.
RECENT_AUDITS_DAYS = 365


def _plannable_cases(staff: StaffMember) -> QuerySet[ChildCase]:
    """Open cases in the services the lead oversees, with what the summary shows joined."""
    return ChildCase.objects.filter(
        is_open=True, allocated_team__service_id__in=services_overseen(staff)
    ).select_related("allocated_team__service", "allocated_worker")


def cases_to_plan_by_child_id(staff: StaffMember, la_child_id: str) -> list[ChildCase]:
    """Open cases in the lead's services whose LA child ID is `la_child_id`, trimmed and
    ignoring capitals (at most a few: IDs are unique as typed, so only capitals can differ).
    A case in another service is not found, exactly as a missing one."""
    typed = la_child_id.strip()
    if not typed:
        return []
    return list(_plannable_cases(staff).filter(la_child_id__iexact=typed)[:10])


def case_to_plan(staff: StaffMember, public_id: UUID | str) -> ChildCase | None:
    """The open case in the lead's services with this public id, or None."""
    try:
        return _plannable_cases(staff).get(public_id=public_id)
    except (ChildCase.DoesNotExist, ValueError, ValidationError):
        return None


def since_recent() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=RECENT_AUDITS_DAYS)


def audits_of_case_recent(staff: StaffMember, case: ChildCase) -> QuerySet[Audit]:
    """The case's audits the lead may see, planned or done in the last twelve months."""
    since = since_recent()
    return (
        audits_visible_to(staff)
        .filter(case=case)
        .filter(Q(created_at__gte=since) | Q(submitted_at__gte=since))
        .order_by("-created_at")
    )


def audits_of_case_to_revisit(staff: StaffMember, case: ChildCase) -> QuerySet[Audit]:
    """The audits of this case, and no other, that a revisit may follow up: submitted or
    completed, newest first."""
    return (
        audits_visible_to(staff)
        .filter(case=case, status__in=[AuditStatus.SUBMITTED, AuditStatus.COMPLETED])
        .order_by("-submitted_at")
    )


def auditors_independent_of(candidates: list[StaffMember], case: ChildCase) -> list[StaffMember]:
    """Those of `candidates` who neither hold nor manage `case` (no query: the case's worker
    is already joined)."""
    return [s for s in candidates if auditor_is_independent(auditor=s, case=case)]
