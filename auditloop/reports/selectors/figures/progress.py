"""Cycle progress: the audits planned against those done."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import formats

from auditloop.audits.models import SHARED_STATUSES, AuditType
from auditloop.reports.blocks import Block
from auditloop.reports.selectors.figures.parts import (
    bars_chart,
    derived_share,
    group_field,
    group_names,
    rows_by,
    scoped_table,
    sorted_groups,
)
from auditloop.reports.selectors.scope import ReportScope
from auditloop.sampling.models import Cycle, CycleAudit

PROGRESS_COLUMNS = ["Done (submitted or completed)", "Not done yet"]
NO_PLAN = "This cycle has no audits planned yet, so there is no progress to show."


def _planned(scope: ReportScope) -> QuerySet[CycleAudit]:
    """The cycle's planned audits in scope, whatever their status (drafts too: planned is
    planned), never a calibration audit."""
    planned = CycleAudit.objects.filter(
        cycle=scope.cycle, audit__team__service_id__in=scope.service_ids
    ).exclude(audit__audit_type=AuditType.CALIBRATION)
    if scope.team_ids is not None:
        planned = planned.filter(audit__team_id__in=scope.team_ids)
    if scope.practitioner_id is not None:
        planned = planned.filter(audit__practitioner_id=scope.practitioner_id)
    return planned


def _cycle_months(cycle: Cycle) -> list[datetime.date]:
    months = []
    month = cycle.starts_on.replace(day=1)
    while month <= cycle.ends_on:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def progress(scope: ReportScope) -> list[Block]:
    """Planned against done: by team (or service) and by month of the cycle. Planned: the
    cycle's audits in scope whatever their status; done: submitted or completed (a status, not
    a grade, so a reader's blind moderations count here). Three queries."""
    planned = _planned(scope)
    group = f"audit__{group_field(scope)}"
    done = Count("pk", filter=Q(audit__status__in=SHARED_STATUSES))
    by_group = {
        row[group]: row
        for row in planned.values(group)
        .annotate(n=Count("pk"), done=done, people=Count("audit__practitioner", distinct=True))
        .order_by()
    }
    if not by_group:
        return [Block(key="progress", heading="Progress", words=[NO_PLAN])]
    by_month = {
        row["planned_month"]: row
        for row in planned.values("planned_month").annotate(n=Count("pk"), done=done).order_by()
    }
    names = group_names(scope, list(by_group))
    groups = sorted_groups(by_group, names)
    ending, heading = rows_by(scope)
    share = derived_share([0], None, "None planned")
    table = scoped_table(
        scope,
        caption="Audits done of those planned" + ending,
        row_heading=heading,
        columns=PROGRESS_COLUMNS,
        rows=[
            (names.get(g, ""), [by_group[g]["done"], by_group[g]["n"] - by_group[g]["done"]])
            for g in groups
        ],
        row_groups=[by_group[g]["n"] for g in groups],
        row_people=[by_group[g]["people"] for g in groups],
        total_heading="Planned",
        derived_heading="Share done",
        derive=share,
    )
    months = sorted(set(_cycle_months(scope.cycle)) | set(by_month))
    empty = {"n": 0, "done": 0}
    month_table = scoped_table(
        scope,
        caption="Audits done of those planned by month",
        row_heading="Month planned",
        columns=PROGRESS_COLUMNS,
        rows=[
            (
                formats.date_format(month, "F Y"),
                [
                    by_month.get(month, empty)["done"],
                    by_month.get(month, empty)["n"] - by_month.get(month, empty)["done"],
                ],
            )
            for month in months
        ],
        total_heading="Planned",
        derived_heading="Share done",
        derive=share,
    )
    return [
        Block(
            key="progress",
            heading="Progress" + ending,
            table=table,
            chart=bars_chart(table, "Share done", [0], None),
        ),
        Block(
            key="progress-by-month",
            heading="Progress by month",
            table=month_table,
            chart=bars_chart(month_table, "Share done", [0], None),
        ),
    ]
