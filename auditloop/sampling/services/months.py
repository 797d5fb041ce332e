""" "Plan this month": draw each team's share of the cycle's per-team quotas for one month and
share the audits out, in one transaction with one event for the month (and one per draw)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction

from auditloop.accounts.models import StaffMember, Team
from auditloop.audits.models import AuditType, ToolVersion
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.sampling.access import require_can_plan
from auditloop.sampling.models import Cycle, SampleDraw
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.rules.months import month_in_cycle, month_name
from auditloop.sampling.selectors.months import (
    month_already_planned,
    planned_by_team,
    team_quotas,
)
from auditloop.sampling.services.draws import (
    DrawPlan,
    draw_save,
    lock_cycle,
    plan_checked,
    planning_pool,
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


@transaction.atomic
def month_plan(
    *,
    cycle: Cycle,
    month: datetime.date | None,
    tools: Mapping[str, ToolVersion | None],
    seed: int,
    theme: str = "",
    exclude_months: int = 12,
    by: StaffMember,
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
    require_can_plan(by, cycle)
    month = month_in_cycle(cycle, month)
    plans = _plans_for(cycle, month, tools, theme)
    if seed < 0:
        raise Refused("The seed cannot be negative.", field="seed")
    planning_pool(cycle)
    lock_cycle(cycle)
    _require_month_unplanned(cycle, month)
    quotas = team_quotas(cycle)
    teams = list(Team.objects.filter(service__cycles=cycle).order_by("service__name", "name"))
    already = planned_by_team(cycle, month)
    planned = [
        _team_drawn(
            dataclasses.replace(plans[audit_type], quota_team=team),
            per_team,
            already.get((audit_type, team.pk), 0),
            spec=DrawSpec(seed=seed, exclude_months=exclude_months, size=0),
            by=by,
            today=today,
        )
        for audit_type, per_team in quotas.items()
        for team in teams
    ]
    result = MonthPlanned(month, planned)
    _record_month_planned(cycle, result, seed=seed, quotas=quotas, teams=len(teams), by=by)
    return result


def _require_month_unplanned(cycle: Cycle, month: datetime.date) -> None:
    """Refuse a month already planned from the team quotas (call with the cycle locked)."""
    existing = month_already_planned(cycle, month)
    if existing is not None:
        raise Refused(
            f"{month_name(month)} is already planned from the team quotas "
            f"({existing} audit{'s' if existing != 1 else ''}). Nothing new was drawn.",
            field="planned_month",
        )


def _record_month_planned(
    cycle: Cycle,
    result: MonthPlanned,
    *,
    seed: int,
    quotas: dict[str, int],
    teams: int,
    by: StaffMember,
) -> None:
    """The month's one event row: what was asked for and how many audits it gave."""
    event_record(
        actor=by.user,
        verb="cycle.month_planned",
        target=cycle,
        summary=f"{month_name(result.month)} planned from the team quotas: {result.audits} audits",
        after={
            "month": result.month.isoformat(),
            "seed": seed,
            "quotas": quotas,
            "teams": teams,
            "audits": result.audits,
            "unassigned": result.unassigned,
        },
    )


def _team_drawn(
    plan: DrawPlan,
    per_team: int,
    before: int,
    *,
    spec: DrawSpec,
    by: StaffMember,
    today: datetime.date | None,
) -> TeamPlanned:
    """Draw `plan.quota_team`'s share of a per-team quota from its own cases (the seed and
    look-back of `spec`): the quota less the `before` audits of the type already planned for
    the team that month (drawn by hand, say, which count towards it), audits shared out."""
    team = plan.quota_team
    if team is None:
        raise ValueError("A team's share of a quota needs its team.")
    spec = dataclasses.replace(
        spec, service_ids=(team.service_id,), team_id=team.pk, size=max(0, per_team - before)
    )
    saved = draw_save(spec=spec, plan=plan, by=by, today=today)
    draw = saved.draw
    draw.filters = {**draw.filters, "quota": per_team, "already_planned": before}
    draw.save(update_fields=["filters"])
    return TeamPlanned(team, plan.audit_type, draw, len(saved.audits), saved.unassigned, before)


def _plans_for(
    cycle: Cycle,
    month: datetime.date,
    tools: Mapping[str, ToolVersion | None],
    theme: str,
) -> dict[str, DrawPlan]:
    """The plan for each type of audit with a per-team quota (checked, with its tool), refused
    when there is no such quota."""
    quotas = team_quotas(cycle)
    if not quotas:
        raise Refused("Add a quota of cases from each team a month before planning a month.")
    return {
        audit_type: plan_checked(
            DrawPlan(
                cycle,
                audit_type,
                tools.get(audit_type),
                month,
                create_audits=True,
                theme=theme if audit_type == AuditType.THEMATIC else "",
            ),
            tool_field=f"tool_{audit_type}",
        )
        for audit_type in quotas
    }
