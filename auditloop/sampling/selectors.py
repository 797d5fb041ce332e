"""Reads of cycles and draws, scoped to the person asking, and the cycle overview."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet

from auditloop.accounts.models import AUDITING_ROLES, Role, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import AuditStatus
from auditloop.cases.models import ChildCase
from auditloop.sampling.models import (
    Cycle,
    CycleAudit,
    Quota,
    QuotaKind,
    SampleDraw,
    SampleDrawCase,
)

DONE_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.COMPLETED)


def cycles_visible_to(staff: StaffMember) -> QuerySet[Cycle]:
    """Audit leads and senior leaders see the cycles touching a service they oversee; nobody
    else any (an administrator holds configuration, and plans no audits)."""
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return Cycle.objects.filter(services__in=services_overseen(staff)).distinct()
    return Cycle.objects.none()


def cycle_can_plan(staff: StaffMember, cycle: Cycle) -> bool:
    """Audit leads who oversee every service the cycle covers."""
    if staff.role != Role.MODERATOR:
        return False
    covered = {s.pk for s in cycle.services.all()}
    return covered <= set(services_overseen(staff))


def draws_visible_to(staff: StaffMember) -> QuerySet[SampleDraw]:
    """Draws name children's cases, so only the people who plan may read them: audit leads,
    for draws in their cycles."""
    if staff.role == Role.MODERATOR:
        overseen = services_overseen(staff)
        # A draw belongs to the lead only when its cycle covers no service they do not oversee.
        foreign = Cycle.services.through.objects.exclude(service_id__in=overseen)
        return (
            SampleDraw.objects.filter(cycle__services__in=overseen)
            .exclude(cycle_id__in=foreign.values("cycle_id"))
            .distinct()
        )
    return SampleDraw.objects.none()


def auditors_available(staff: StaffMember) -> QuerySet[StaffMember]:
    """Active auditing staff a planner may put in a cycle's pool: in their services."""
    overseen = services_overseen(staff)
    people = StaffMember.objects.filter(is_active=True, role__in=AUDITING_ROLES).filter(
        Q(team__service__in=overseen) | Q(services__in=overseen)
    )
    return people.select_related("team").distinct().order_by("name")


def cycle_months(cycle: Cycle) -> list[datetime.date]:
    """The first day of every month the cycle touches."""
    months: list[datetime.date] = []
    day = cycle.starts_on.replace(day=1)
    while day <= cycle.ends_on:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class OverviewCell:
    planned: int = 0
    done: int = 0
    target: int = 0
    started: bool = False  # the month has begun, so a shortfall against the plan matters

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.planned) if self.started else 0

    @property
    def progress(self) -> str:
        """Planned against done in words: "None planned", "1 of 3 done"; never "0 of 0"."""
        if self.planned == 0:
            return "None planned"
        return f"{self.done} of {self.planned} done"

    @property
    def shortfall_words(self) -> str:
        """Empty when the month is on plan, else e.g. "6 short of the plan of 10"."""
        if not self.shortfall:
            return ""
        return f"{self.shortfall} short of the plan of {self.target}"


@dataclass
class OverviewRow:
    label: str
    cells: list[OverviewCell]
    total: OverviewCell = field(default_factory=OverviewCell)


@dataclass
class AuditorLine:
    name: str
    planned: int
    done: int
    overdue: int


@dataclass
class Overview:
    months: list[datetime.date]
    rows: list[OverviewRow]
    totals: OverviewRow
    auditors: list[AuditorLine]
    team_target: int  # cases a team, a month, from the per-team quotas
    # The cycle's services the viewer does not oversee, left out of every figure above.
    services_left_out: list[str] = field(default_factory=list)


def overview_service_ids(staff: StaffMember) -> list[int] | None:
    """The services whose teams and audits `staff` sees in a cycle overview: every one for an
    administrator (None), otherwise those they oversee, exactly as on the audit pages."""
    if staff.role == Role.ADMINISTRATOR:
        return None
    return services_overseen(staff)


def cycle_overview(
    cycle: Cycle, *, today: datetime.date, service_ids: list[int] | None = None
) -> Overview:
    """Planned against done, by team (of the audited case) and month, and by auditor.

    With `service_ids`, only the teams of those services and the audits of cases they hold
    count: a senior leader over one service sees their teams, not the whole cycle's.
    Five queries, whatever the number of audits: services, teams, quotas, two aggregates."""
    months = cycle_months(cycle)
    month_index = {m: i for i, m in enumerate(months)}
    in_scope = Q() if service_ids is None else Q(audit__team__service_id__in=service_ids)
    services = list(cycle.services.order_by("name").values_list("id", "name"))
    left_out = [name for pk, name in services if service_ids is not None and pk not in service_ids]
    teams = Team.objects.filter(service__cycles=cycle)
    if service_ids is not None:
        teams = teams.filter(service_id__in=service_ids)
    team_target = sum(
        q.per_month for q in Quota.objects.filter(cycle=cycle, kind=QuotaKind.PER_TEAM)
    )
    counts = (
        CycleAudit.objects.filter(in_scope, cycle=cycle)
        .values("audit__team_id", "planned_month")
        .annotate(planned=Count("id"), done=Count("id", filter=Q(audit__status__in=DONE_STATUSES)))
        .order_by()
    )
    by_team: dict[int | None, OverviewRow] = {
        t.pk: OverviewRow(
            t.name, [OverviewCell(target=team_target, started=m <= today) for m in months]
        )
        for t in teams.order_by("service__name", "name")
    }
    for line in counts:
        i = month_index.get(line["planned_month"])
        if i is None:
            continue
        row = by_team.get(line["audit__team_id"])
        if row is None:
            row = by_team.setdefault(
                line["audit__team_id"], OverviewRow("No team", [OverviewCell() for _ in months])
            )
        row.cells[i].planned += line["planned"]
        row.cells[i].done += line["done"]
    rows = list(by_team.values())
    totals = OverviewRow(
        "All your teams" if left_out else "All teams", [OverviewCell() for _ in months]
    )
    for row in rows:
        for i, cell in enumerate(row.cells):
            for target in (row.total, totals.cells[i], totals.total):
                target.planned += cell.planned
                target.done += cell.done
                target.target += cell.target
    per_auditor = (
        CycleAudit.objects.filter(in_scope, cycle=cycle)
        .values("audit__auditor__name", "audit__auditor_id")
        .annotate(
            planned=Count("id"),
            done=Count("id", filter=Q(audit__status__in=DONE_STATUSES)),
            overdue=Count(
                "id",
                filter=Q(audit__due_date__lt=today) & ~Q(audit__status__in=DONE_STATUSES),
            ),
        )
        .order_by("audit__auditor__name", "audit__auditor_id")
    )
    auditors = [
        AuditorLine(a["audit__auditor__name"], a["planned"], a["done"], a["overdue"])
        for a in per_auditor
    ]
    return Overview(months, rows, totals, auditors, team_target, left_out)


def draw_chosen_rows(draw: SampleDraw) -> QuerySet[SampleDrawCase]:
    return draw.chosen.select_related(
        "case__allocated_team", "auditor", "added_by__staff"
    ).order_by("position")


def month_loads(cycle: Cycle, month: datetime.date) -> dict[int, int]:
    """Audits each auditor already has in `month` of `cycle`."""
    rows = (
        CycleAudit.objects.filter(cycle=cycle, planned_month=month)
        .values("audit__auditor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["audit__auditor_id"]: r["n"] for r in rows}


def _cycle_open_cases(cycle: Cycle) -> QuerySet[ChildCase]:
    return ChildCase.objects.filter(
        is_open=True, allocated_team__service__in=cycle.services.all()
    ).select_related("allocated_team", "allocated_worker")


def cycle_case_by_child_id(cycle: Cycle, la_child_id: str) -> ChildCase | None:
    """The open case in the cycle's services with this LA child ID (as typed, else ignoring
    capitals). A case outside the cycle's services is not found, exactly as a missing one."""
    typed = la_child_id.strip()
    if not typed:
        return None
    found = list(_cycle_open_cases(cycle).filter(la_child_id__iexact=typed)[:10])
    exact = [c for c in found if c.la_child_id == typed]
    best = exact or found
    return best[0] if best else None


def cycle_case(cycle: Cycle, public_id: UUID | str) -> ChildCase | None:
    """The open case in the cycle's services with this public id, or None."""
    try:
        return _cycle_open_cases(cycle).get(public_id=public_id)
    except (ChildCase.DoesNotExist, ValueError, ValidationError):
        return None


def pick_list_rows(draw: SampleDraw | None) -> list[SampleDrawCase]:
    if draw is None:
        return []
    return list(
        draw.chosen.select_related(
            "case__allocated_team", "case__allocated_worker", "added_by__staff"
        ).order_by("position")
    )


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
