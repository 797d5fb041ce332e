"""Reads of cycles, scoped to the person asking: the cycles they see, the auditors they may put
in a pool, a cycle's draws, and the cycle overview (planned against done)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import formats

from auditloop.accounts.models import AUDITING_ROLES, Role, Service, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import AuditStatus
from auditloop.sampling.models import (
    Cycle,
    CycleAudit,
    LateEscalation,
    LateStep,
    Quota,
    QuotaKind,
    SampleDraw,
)
from auditloop.sampling.rules.months import cycle_months

DONE_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.COMPLETED)


def cycles_visible_to(staff: StaffMember) -> QuerySet[Cycle]:
    """Audit leads and senior leaders see the cycles touching a service they oversee; nobody
    else any (an administrator holds configuration, and plans no audits)."""
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return Cycle.objects.filter(services__in=services_overseen(staff)).distinct()
    return Cycle.objects.none()


def cycles_listed(staff: StaffMember) -> QuerySet[Cycle]:
    """The cycles `staff` sees, newest first, each with its services and audits planned and
    done (one query, and one for the services)."""
    # The cycles by key, not joined to the services that make them visible: that join repeated
    # each of a cycle's audits once per service, and the counts then had to be made distinct (a
    # sort of 1.2 million rows on the national council).
    return (
        Cycle.objects.filter(pk__in=cycles_visible_to(staff).values("pk"))
        .prefetch_related(Prefetch("services", queryset=Service.objects.order_by("name")))
        .annotate(
            planned=Count("cycle_audits"),
            done=Count("cycle_audits", filter=Q(cycle_audits__audit__status__in=DONE_STATUSES)),
        )
        .order_by("-starts_on", "name")
    )


def cycle_draws(cycle: Cycle) -> QuerySet[SampleDraw]:
    """The cycle's stored draws (not a pick list still being put together), newest first, each
    with the number of audits it planned."""
    return (
        cycle.draws.filter(is_draft=False)
        .select_related("tool_version__tool", "created_by", "quota_team")
        .annotate(audits=Count("cycle_audits"))
        .order_by("-created_at")
    )


def cycle_pool(cycle: Cycle) -> list[StaffMember]:
    """The cycle's active auditors, by name: those audits are shared among."""
    return list(cycle.auditors.filter(is_active=True).select_related("team").order_by("name", "pk"))


def auditors_available(staff: StaffMember) -> QuerySet[StaffMember]:
    """Active auditing staff a planner may put in a cycle's pool: in their services."""
    overseen = services_overseen(staff)
    people = StaffMember.objects.filter(is_active=True, role__in=AUDITING_ROLES).filter(
        Q(team__service__in=overseen) | Q(services__in=overseen)
    )
    return people.select_related("team").distinct().order_by("name")


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
class LateLine:
    """A cycle audit past its due date and not yet submitted: who is late, by how long, and
    who it has been escalated to (names the case by nothing but the audit's reference)."""

    reference: str
    auditor: str
    due_date: datetime.date
    days_late: int
    escalated_to: list[str]


@dataclass
class Overview:
    months: list[datetime.date]
    rows: list[OverviewRow]
    totals: OverviewRow
    auditors: list[AuditorLine]
    team_target: int  # cases a team, a month, from the per-team quotas
    # The cycle's services the viewer does not oversee, left out of every figure above.
    services_left_out: list[str] = field(default_factory=list)
    # Late audits, the longest late first.
    late: list[LateLine] = field(default_factory=list)


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
    Seven queries, whatever the number of audits: services, teams, quotas, two aggregates, the
    late audits and who they were escalated to."""
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
    totals = _totals(rows, len(months), "All your teams" if left_out else "All teams")
    auditors = _auditor_lines(CycleAudit.objects.filter(in_scope, cycle=cycle), today)
    late = _late_lines(CycleAudit.objects.filter(in_scope, cycle=cycle), today)
    return Overview(months, rows, totals, auditors, team_target, left_out, late)


def _late_lines(planned: QuerySet[CycleAudit], today: datetime.date) -> list[LateLine]:
    """The planned audits past their due date and not yet submitted, longest late first.
    Two queries, with or without late audits: the escalations are asked by subquery, not
    prefetched (a prefetch is skipped when nothing is late, so the count would vary)."""
    late = (
        planned.filter(audit__due_date__lt=today)
        .exclude(audit__status__in=DONE_STATUSES)
        .select_related("audit__auditor")
        .order_by("audit__due_date", "audit__auditor__name", "pk")
    )
    told: dict[int, list[str]] = {}
    for e in (
        LateEscalation.objects.filter(audit_id__in=late.values("audit_id"))
        .select_related("recipient")
        .order_by("escalated_on", "id")
    ):
        told.setdefault(e.audit_id, []).append(
            f"{e.recipient.name}, {LateStep(e.step).label.lower()}, on "
            f"{formats.date_format(e.escalated_on, 'j F Y')}"
        )
    lines = []
    for link in late:
        audit = link.audit
        due = audit.due_date or today
        to = told.get(audit.pk, [])
        lines.append(LateLine(audit.reference, audit.auditor.name, due, (today - due).days, to))
    return lines


def _totals(rows: list[OverviewRow], months: int, label: str) -> OverviewRow:
    """Each row's total, and the totals of every row by month and overall."""
    totals = OverviewRow(label, [OverviewCell() for _ in range(months)])
    for row in rows:
        for i, cell in enumerate(row.cells):
            for target in (row.total, totals.cells[i], totals.total):
                target.planned += cell.planned
                target.done += cell.done
                target.target += cell.target
    return totals


def _auditor_lines(planned: QuerySet[CycleAudit], today: datetime.date) -> list[AuditorLine]:
    """Planned, done and overdue for each auditor, by name (one query)."""
    per_auditor = (
        planned.values("audit__auditor__name", "audit__auditor_id")
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
    return [
        AuditorLine(a["audit__auditor__name"], a["planned"], a["done"], a["overdue"])
        for a in per_auditor
    ]


@dataclass
class LateForMe:
    reference: str
    auditor: str
    cycle: str
    due_date: datetime.date
    days_late: int
    step: str


def late_audits_escalated_to(staff: StaffMember, *, today: datetime.date) -> list[LateForMe]:
    """The late cycle audits escalated to `staff` that are still late, longest late first: for
    their home page. Each audit once, at the furthest step it reached them (one query)."""
    escalations = (
        LateEscalation.objects.filter(recipient=staff, audit__due_date__lt=today)
        .exclude(audit__status__in=DONE_STATUSES)
        .select_related("audit__auditor", "audit__cycle_link__cycle")
        .order_by("audit__due_date", "audit_id", "step")
    )
    lines: dict[int, LateForMe] = {}
    for e in escalations:
        audit = e.audit
        due = audit.due_date or today
        line = LateForMe(
            audit.reference,
            audit.auditor.name,
            audit.cycle_link.cycle.name,
            due,
            (today - due).days,
            LateStep(e.step).label,
        )
        if audit.pk not in lines or e.step == LateStep.LEAD:
            lines[audit.pk] = line
    return list(lines.values())
