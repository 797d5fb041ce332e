"""Reads for planning a month: each auditor's load and quota capacity, the per-team quotas, what
"Plan this month" has already drawn, and the draws it stored."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Prefetch

from auditloop.accounts.models import StaffMember
from auditloop.sampling.models import (
    PLANNED_TYPES,
    Cycle,
    CycleAudit,
    Quota,
    QuotaKind,
    SampleDraw,
    SampleDrawCase,
)

_TYPES = dict(PLANNED_TYPES)


def month_loads(cycle: Cycle, month: datetime.date) -> dict[int, int]:
    """Audits each auditor already has in `month` of `cycle`."""
    rows = (
        CycleAudit.objects.filter(cycle=cycle, planned_month=month)
        .values("audit__auditor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["audit__auditor_id"]: r["n"] for r in rows}


def month_plan_draws(cycle: Cycle, month: datetime.date) -> list[SampleDraw]:
    """The draws "Plan this month" stored for `month`, one per team and type of audit, each
    with its audit count and its unassigned cases. Three queries however many teams."""
    return list(
        SampleDraw.objects.filter(cycle=cycle, planned_month=month, quota_team__isnull=False)
        .select_related("quota_team__service", "tool_version__tool")
        .annotate(audits=Count("cycle_audits"))
        .prefetch_related(
            Prefetch(
                "chosen",
                queryset=SampleDrawCase.objects.exclude(unassigned_reason="")
                .select_related("case")
                .order_by("position"),
                to_attr="unassigned_rows",
            )
        )
        .order_by("audit_type", "quota_team__service__name", "quota_team__name")
    )


def months_planned(cycle: Cycle) -> dict[datetime.date, int]:
    """Months "Plan this month" has been run for, with the audits it created in each."""
    rows = (
        SampleDraw.objects.filter(cycle=cycle, quota_team__isnull=False)
        .values("planned_month")
        .annotate(audits=Count("cycle_audits"))
        .order_by("planned_month")
    )
    return {r["planned_month"]: r["audits"] for r in rows if r["planned_month"] is not None}


def monthly_capacities(
    cycle: Cycle, audit_type: str, pool: Sequence[StaffMember]
) -> dict[int, int]:
    """Audits a month each auditor's per-auditor quotas allow; absent = no quota, no limit."""
    quotas = [
        q
        for q in cycle.quotas.all()
        if q.kind == QuotaKind.PER_AUDITOR and q.audit_type == audit_type
    ]
    out: dict[int, int] = {}
    for person in pool:
        applying = [q.per_month for q in quotas if not q.role or q.role == person.role]
        if applying:
            out[person.pk] = sum(applying)
    return out


def team_quotas(cycle: Cycle) -> dict[str, int]:
    """Cases a team, a month, for each type of audit with a per-team quota, in plan order."""
    totals: dict[str, int] = {}
    for quota in Quota.objects.filter(cycle=cycle, kind=QuotaKind.PER_TEAM):
        totals[quota.audit_type] = totals.get(quota.audit_type, 0) + quota.per_month
    return {t: totals[t] for t in _TYPES if t in totals}


def planned_by_team(cycle: Cycle, month: datetime.date) -> dict[tuple[str, int], int]:
    """(type of audit, team id) -> audits already planned in `month` of `cycle`."""
    rows = (
        CycleAudit.objects.filter(cycle=cycle, planned_month=month, audit__team__isnull=False)
        .values("audit__audit_type", "audit__team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r["audit__audit_type"], r["audit__team_id"]): r["n"] for r in rows}


def month_already_planned(cycle: Cycle, month: datetime.date) -> int | None:
    """The audits "Plan this month" created for `month`, or None if it has not been run."""
    draws = SampleDraw.objects.filter(cycle=cycle, planned_month=month, quota_team__isnull=False)
    row = draws.aggregate(n=Count("pk"), audits=Count("cycle_audits"))
    return row["audits"] if row["n"] else None
