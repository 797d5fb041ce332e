"""Writes that turn a cycle's plan into audits: cases an audit lead chooses for deep dives
and thematic audits (a pick list, each case with the reason it was chosen), and "Plan this
month", which draws each team's share of the per-team quotas and shares the audits out.

Each runs in one transaction, records one event per change and refuses, with a plain-English
`SamplingRefused`, anything the plan does not allow."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max

from auditloop.accounts.models import Service, StaffMember, Team, User
from auditloop.audits.models import Audit, AuditType, ToolVersion
from auditloop.audits.rules import auditor_is_independent
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.sampling.draws import DrawSpec
from auditloop.sampling.models import (
    PLANNED_TYPES,
    Cycle,
    CycleAudit,
    DrawMethod,
    Quota,
    QuotaKind,
    SampleDraw,
    SampleDrawCase,
)
from auditloop.sampling.selectors import month_loads
from auditloop.sampling.services import (
    SamplingRefused,
    audits_share_out,
    cycle_can_plan_by,
    draw_save,
    monthly_capacities,
)

# Deep dives and thematic audits are chosen; dip samples are drawn at random.
CHOSEN_TYPES = (AuditType.DEEP_DIVE.value, AuditType.THEMATIC.value)
_TYPES = dict(PLANNED_TYPES)


def _month_name(month: datetime.date) -> str:
    return month.strftime("%B %Y")


def _require_planner(by: User | None, cycle: Cycle) -> None:
    if not cycle_can_plan_by(by, cycle):
        raise SamplingRefused("Only an audit lead for every service in this cycle can plan it.")


def _lock(cycle: Cycle) -> None:
    """Serialise planning writes on one cycle (PostgreSQL row lock; SQLite locks the file)."""
    Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk", flat=True).first()


def _check_month(cycle: Cycle, month: datetime.date | None) -> datetime.date:
    if month is None:
        raise SamplingRefused("Choose the month the audits are planned for.", field="planned_month")
    month = month.replace(day=1)
    if not cycle.starts_on.replace(day=1) <= month <= cycle.ends_on:
        raise SamplingRefused("Choose a month inside the cycle.", field="planned_month")
    return month


def _check_tool(cycle: Cycle, tool_version: ToolVersion | None, field: str) -> ToolVersion:
    if tool_version is None or not cycle.tools.filter(pk=tool_version.pk).exists():
        raise SamplingRefused("Choose one of the cycle's audit tools.", field=field)
    return tool_version


def _check_theme(audit_type: str, theme: str) -> str:
    theme = theme.strip()
    if audit_type == AuditType.THEMATIC and not theme:
        raise SamplingRefused("Enter the theme of the thematic audits.", field="theme")
    return theme if audit_type == AuditType.THEMATIC else ""


def _pool(cycle: Cycle) -> list[StaffMember]:
    pool = list(cycle.auditors.filter(is_active=True).order_by("name", "pk"))
    if not pool:
        raise SamplingRefused("Add auditors to the cycle before planning audits.")
    return pool


def pick_list_of(cycle: Cycle) -> SampleDraw | None:
    """The cycle's pick list still being put together, if there is one."""
    return SampleDraw.objects.filter(cycle=cycle, is_draft=True).first()


def case_in_cycle(cycle: Cycle, case: ChildCase) -> bool:
    return (
        case.is_open
        and case.allocated_team_id is not None
        and cycle.services.filter(teams__pk=case.allocated_team_id).exists()
    )


@transaction.atomic
def pick_add(*, cycle: Cycle, case: ChildCase, reason: str, by: User | None) -> SampleDrawCase:
    """Add a case the audit lead chose to the cycle's pick list, with why it was chosen.
    Only open cases in the cycle's services; each case once."""
    _require_planner(by, cycle)
    reason = reason.strip()
    if not reason:
        raise SamplingRefused("Enter why this case was chosen.", field="reason")
    if not case_in_cycle(cycle, case):
        raise SamplingRefused("No open case with that LA child ID in this cycle's services.")
    _lock(cycle)
    draft = pick_list_of(cycle)
    if draft is None:
        services = list(Service.objects.filter(cycles=cycle).order_by("name"))
        draft = SampleDraw.objects.create(
            cycle=cycle,
            method=DrawMethod.CHOSEN,
            is_draft=True,
            filters={"services": [{"id": s.pk, "name": s.name} for s in services]},
            seed=0,
            population_size=0,
            size=0,
            created_by=by,
        )
    elif draft.chosen.filter(case=case).exists():
        raise SamplingRefused("That case is already on the list.")
    last = draft.chosen.aggregate(last=Max("position"))["last"] or 0
    team = case.allocated_team
    row = SampleDrawCase.objects.create(
        draw=draft,
        case=case,
        stratum=f"team-{case.allocated_team_id}",
        stratum_label=team.name if team is not None else "No team",
        position=last + 1,
        position_in_stratum=last + 1,
        reason=reason,
        added_by=by,
    )
    event_record(
        actor=by,
        verb="sample.case_chosen",
        target=draft,
        summary="Case added to the pick list",
        after={"case": str(case.public_id)},
        # Why a case was chosen speaks about the child: logged as changed, never by value.
        content_changed=["reason"],
    )
    return row


@transaction.atomic
def pick_remove(*, cycle: Cycle, case: ChildCase, by: User | None) -> None:
    """Take a case off the pick list before its audits are planned."""
    _require_planner(by, cycle)
    draft = pick_list_of(cycle)
    row = draft.chosen.filter(case=case).first() if draft is not None else None
    if draft is None or row is None:
        raise SamplingRefused("That case is not on the list.")
    before = {"case": str(case.public_id)}
    row.delete()
    event_record(
        actor=by,
        verb="sample.case_unchosen",
        target=draft,
        summary="Case taken off the pick list",
        before=before,
    )


@dataclass
class PicksPlanned:
    draw: SampleDraw
    audits: list[Audit]
    unassigned: list[tuple[int, str]]  # (position on the list, reason)


@transaction.atomic
def picks_plan(
    *,
    cycle: Cycle,
    audit_type: str,
    tool_version: ToolVersion | None,
    planned_month: datetime.date | None,
    auditor: StaffMember | None,
    theme: str = "",
    by: User | None,
) -> PicksPlanned:
    """Turn the pick list into audits of `audit_type` (deep dive or thematic), due at the end
    of `planned_month`. With `auditor`, they take every case (refused unless they are in the
    pool, hold or manage none of the cases, and have room under their monthly quota); without,
    the cases are shared out evenly as a drawn sample's are, and any case nobody independent is
    free to take is kept, unassigned, with the reason."""
    _require_planner(by, cycle)
    _lock(cycle)
    draft = pick_list_of(cycle)
    rows = list(draft.chosen.order_by("position")) if draft is not None else []
    if draft is None or not rows:
        raise SamplingRefused("Add at least one case to the list first.")
    if audit_type not in CHOSEN_TYPES:
        raise SamplingRefused(
            "Chosen cases are for deep dives and thematic audits; dip samples are drawn.",
            field="audit_type",
        )
    if audit_type not in cycle.audit_types:
        raise SamplingRefused(
            "Choose one of the types of audit this cycle plans.", field="audit_type"
        )
    theme = _check_theme(audit_type, theme)
    tool = _check_tool(cycle, tool_version, "tool_version")
    month = _check_month(cycle, planned_month)
    pool = _pool(cycle)
    if auditor is not None:
        _check_named_auditor(cycle, auditor, pool, rows, audit_type, month)
    draft.is_draft = False
    draft.audit_type = audit_type
    draft.tool_version = tool
    draft.planned_month = month
    draft.theme = theme
    draft.size = len(rows)
    draft.save(
        update_fields=["is_draft", "audit_type", "tool_version", "planned_month", "theme", "size"]
    )
    audits, unassigned = audits_share_out(
        cycle=cycle,
        draw=draft,
        rows=rows,
        pool=pool,
        audit_type=audit_type,
        tool_version=tool,
        month=month,
        theme=theme,
        by=by,
        only=auditor,
    )
    event_record(
        actor=by,
        verb="sample.chosen_planned",
        target=draft,
        summary=f"{len(rows)} chosen case{'s' if len(rows) != 1 else ''} planned for "
        f"{_month_name(month)}",
        after={
            "audit_type": audit_type,
            "theme": theme,
            "tool_version": str(tool),
            "planned_month": month.isoformat(),
            "auditor": auditor.pk if auditor is not None else None,
            "audits": len(audits),
            "unassigned": len(unassigned),
        },
    )
    return PicksPlanned(draft, audits, unassigned)


def _check_named_auditor(
    cycle: Cycle,
    auditor: StaffMember,
    pool: list[StaffMember],
    rows: list[SampleDrawCase],
    audit_type: str,
    month: datetime.date,
) -> None:
    if auditor.pk not in {p.pk for p in pool}:
        raise SamplingRefused(
            f"{auditor.name} is not an active auditor in this cycle.", field="auditor"
        )
    cases = ChildCase.objects.select_related("allocated_worker").filter(
        pk__in=[r.case_id for r in rows]
    )
    held = sum(1 for case in cases if not auditor_is_independent(auditor=auditor, case=case))
    if held:
        raise SamplingRefused(
            f"{auditor.name} holds or manages {held} of the chosen cases, so cannot audit "
            "them. Choose someone else, or share the cases out evenly.",
            field="auditor",
        )
    cap = monthly_capacities(cycle, audit_type, pool).get(auditor.pk)
    load = month_loads(cycle, month).get(auditor.pk, 0)
    if cap is not None and load + len(rows) > cap:
        raise SamplingRefused(
            f"{auditor.name} already has {load} audit{'s' if load != 1 else ''} in "
            f"{_month_name(month)} and their quota is {cap} a month. Choose someone else, or "
            "share the cases out evenly.",
            field="auditor",
        )


@dataclass
class TeamPlanned:
    team: Team
    audit_type: str
    draw: SampleDraw
    audits: int
    unassigned: list[tuple[int, str]] = field(default_factory=list)
    already: int = 0  # audits of the type already planned for the team's cases that month


@dataclass
class MonthPlanned:
    month: datetime.date
    teams: list[TeamPlanned]

    @property
    def audits(self) -> int:
        return sum(t.audits for t in self.teams)

    @property
    def unassigned(self) -> int:
        return sum(len(t.unassigned) for t in self.teams)


def team_quotas(cycle: Cycle) -> dict[str, int]:
    """Cases a team, a month, for each type of audit with a per-team quota, in plan order."""
    totals: dict[str, int] = {}
    for quota in Quota.objects.filter(cycle=cycle, kind=QuotaKind.PER_TEAM):
        totals[quota.audit_type] = totals.get(quota.audit_type, 0) + quota.per_month
    return {t: totals[t] for t in _TYPES if t in totals}


def _planned_by_team(cycle: Cycle, month: datetime.date) -> dict[tuple[str, int], int]:
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


@transaction.atomic
def month_plan(
    *,
    cycle: Cycle,
    month: datetime.date | None,
    tools: Mapping[str, ToolVersion | None],
    seed: int,
    theme: str = "",
    exclude_months: int = 12,
    by: User | None,
    today: datetime.date | None = None,
) -> MonthPlanned:
    """Apply the per-team quotas to one month: for each type of audit with a per-team quota
    and each team in the cycle's services, draw that many of the team's open cases, less any
    audits of that type already planned for the team that month (leaving
    out cases audited in the last `exclude_months` months and cases every auditor holds or
    manages), store it as that team's draw, and share the audits out evenly among the pool,
    within each auditor's monthly quota. `tools` gives the audit tool for each type.

    Refused if the month has already been planned this way: running it twice never doubles
    the work (and a database constraint backs that up)."""
    _require_planner(by, cycle)
    month = _check_month(cycle, month)
    quotas = team_quotas(cycle)
    if not quotas:
        raise SamplingRefused(
            "Add a quota of cases from each team a month before planning a month."
        )
    chosen_tools = {t: _check_tool(cycle, tools.get(t), f"tool_{t}") for t in quotas}
    if seed < 0:
        raise SamplingRefused("The seed cannot be negative.", field="seed")
    theme = _check_theme(AuditType.THEMATIC, theme) if AuditType.THEMATIC in quotas else ""
    _pool(cycle)
    _lock(cycle)
    existing = month_already_planned(cycle, month)
    if existing is not None:
        raise SamplingRefused(
            f"{_month_name(month)} is already planned from the team quotas "
            f"({existing} audit{'s' if existing != 1 else ''}). Nothing new was drawn.",
            field="planned_month",
        )
    teams = list(Team.objects.filter(service__cycles=cycle).order_by("service__name", "name"))
    already = _planned_by_team(cycle, month)
    planned: list[TeamPlanned] = []
    for audit_type, per_team in quotas.items():
        for team in teams:
            # Audits drawn by hand for the team this month count towards its quota.
            before = already.get((audit_type, team.pk), 0)
            saved = draw_save(
                spec=DrawSpec(
                    seed=seed,
                    service_ids=(team.service_id,),
                    team_id=team.pk,
                    exclude_months=exclude_months,
                    size=max(0, per_team - before),
                ),
                by=by,
                cycle=cycle,
                audit_type=audit_type,
                tool_version=chosen_tools[audit_type],
                planned_month=month,
                create_audits=True,
                theme=theme if audit_type == AuditType.THEMATIC else "",
                quota_team=team,
                today=today,
            )
            draw = saved.draw
            draw.filters = {**draw.filters, "quota": per_team, "already_planned": before}
            draw.save(update_fields=["filters"])
            planned.append(
                TeamPlanned(team, audit_type, draw, len(saved.audits), saved.unassigned, before)
            )
    result = MonthPlanned(month, planned)
    event_record(
        actor=by,
        verb="cycle.month_planned",
        target=cycle,
        summary=f"{_month_name(month)} planned from the team quotas: {result.audits} audits",
        after={
            "month": month.isoformat(),
            "seed": seed,
            "quotas": quotas,
            "teams": len(teams),
            "audits": result.audits,
            "unassigned": result.unassigned,
        },
    )
    return result
