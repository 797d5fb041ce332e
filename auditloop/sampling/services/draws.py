"""Writes for sample draws: storing a draw (within a cycle or, from the command line or for a
lead's own services, outside one) and sharing the audits it plans out among the cycle's pool.

What a draw within a cycle plans is a `DrawPlan`; `plan_checked` is the one statement of what
such a plan must be, whichever way its cases are chosen (drawn here, picked by hand in
`services.picks`, or drawn team by team in `services.months`)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet, Value, Window
from django.db.models.functions import RowNumber

from auditloop.accounts.models import Service, StaffMember, Team, actor_login
from auditloop.audits.models import Audit, AuditType, ToolVersion
from auditloop.audits.services.planning import audit_create
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.sampling.access import CANNOT_DRAW, can_draw_outside_cycle, require_can_plan
from auditloop.sampling.models import (
    Cycle,
    CycleAudit,
    SampleDraw,
    SampleDrawCase,
    SampleDrawPopulation,
)
from auditloop.sampling.rules import assignment
from auditloop.sampling.rules.draws import DrawResult, DrawSpec
from auditloop.sampling.rules.independence import auditor_is_independent, auditor_rows
from auditloop.sampling.rules.months import due_date_for, month_in_cycle
from auditloop.sampling.selectors.cycles import cycle_pool
from auditloop.sampling.selectors.draws import (
    draw_exclusions,
    draw_from_frozen,
    draw_order,
    draw_population_cases,
)
from auditloop.sampling.selectors.months import month_loads, monthly_capacities


@dataclass(frozen=True)
class DrawPlan:
    """The audits a draw within a cycle plans: their type, audit tool and month; whether to
    create them now (shared among the cycle's pool), the theme of thematic audits, and the
    team whose share of the month's per-team quota the draw is (see `month_plan`)."""

    cycle: Cycle
    audit_type: str
    tool_version: ToolVersion | None
    planned_month: datetime.date | None
    create_audits: bool = False
    theme: str = ""
    quota_team: Team | None = None


@dataclass
class DrawSaved:
    draw: SampleDraw
    result: DrawResult
    audits: list[Audit]
    unassigned: list[tuple[int, str]]  # (draw position, reason)


def plan_checked(plan: DrawPlan, *, tool_field: str = "tool_version") -> DrawPlan:
    """The plan as it is stored (theme trimmed, the first of the month), refused unless its
    type and tool are the cycle's, its month is inside the cycle, and a thematic audit (and
    only one) has a theme. `tool_field` names the form field a wrong tool belongs to."""
    cycle = plan.cycle
    theme = plan.theme.strip()
    if plan.audit_type not in cycle.audit_types:
        raise Refused("Choose one of the types of audit this cycle plans.", field="audit_type")
    if plan.audit_type == AuditType.THEMATIC and not theme:
        raise Refused("Enter the theme of the thematic audits.", field="theme")
    if theme and plan.audit_type != AuditType.THEMATIC:
        raise Refused("Only a thematic audit has a theme.", field="theme")
    tool = plan.tool_version
    if tool is None or not cycle.tools.filter(pk=tool.pk).exists():
        raise Refused("Choose one of the cycle's audit tools.", field=tool_field)
    month = month_in_cycle(cycle, plan.planned_month)
    return dataclasses.replace(plan, theme=theme, planned_month=month)


def lock_cycle(cycle: Cycle) -> None:
    """Serialise planning writes on one cycle (PostgreSQL row lock; SQLite locks the file)."""
    Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk", flat=True).first()


def planning_pool(cycle: Cycle) -> list[StaffMember]:
    """The cycle's active auditors, refused when there are none to plan audits for."""
    pool = cycle_pool(cycle)
    if not pool:
        raise Refused("Add auditors to the cycle before planning audits.")
    return pool


def spec_in_cycle(cycle: Cycle, spec: DrawSpec) -> DrawSpec:
    """The spec drawing from the cycle's services (all of them, unless it names some)."""
    service_ids = {s.pk for s in cycle.services.all()}
    if not spec.service_ids:
        spec = dataclasses.replace(spec, service_ids=tuple(sorted(service_ids)))
    elif not set(spec.service_ids) <= service_ids:
        raise Refused("Draw only from the services this cycle covers.", field="service")
    if (
        spec.team_id is not None
        and not Team.objects.filter(pk=spec.team_id, service_id__in=spec.service_ids).exists()
    ):
        raise Refused("Draw only from teams in the cycle's services.", field="team")
    return spec


@transaction.atomic
def draw_save(
    *,
    spec: DrawSpec,
    plan: DrawPlan | None = None,
    auditors: Sequence[StaffMember] = (),
    by: StaffMember | None,
    today: datetime.date | None = None,
) -> DrawSaved:
    """Draw and store a sample: seed, filters, frozen population, exclusions and, per chosen
    case, its stratum and place in the draw.

    With a `plan`, the draw is within its cycle: cases held or managed by every auditor in the
    cycle's pool are excluded, and with `plan.create_audits` each chosen case becomes an audit
    shared evenly among the pool (see `audits_share_out`). Without, `auditors` (if any) decides
    the same exclusion; `by` None is the command line."""
    if plan is not None:
        require_can_plan(by, plan.cycle)
        plan = plan_checked(plan)
        spec = spec_in_cycle(plan.cycle, spec)
        pool = cycle_pool(plan.cycle)
        if plan.create_audits and not pool:
            raise Refused("Add auditors to the cycle before creating audits.", field="auditors")
    else:
        if by is not None and not can_draw_outside_cycle(by, spec.service_ids):
            raise Refused(CANNOT_DRAW)
        pool = list(auditors)
    exclusions = draw_exclusions(spec, auditors=auditor_rows(pool), today=today)
    draw, result, rows = _draw_store(spec, plan, exclusions, by)
    event_record(
        actor=actor_login(by),
        verb="sample.drawn",
        target=draw,
        summary=f"Sample of {result.size} drawn from {result.population_size} cases",
        after={
            "seed": spec.seed,
            "size": result.size,
            "population": result.population_size,
            "cycle": str(plan.cycle.public_id) if plan else None,
        },
    )
    if plan is None or not plan.create_audits:
        return DrawSaved(draw, result, [], [])
    audits, unassigned = audits_share_out(draw=draw, rows=rows, pool=pool, plan=plan, by=by)
    return DrawSaved(draw, result, audits, unassigned)


def _draw_store(
    spec: DrawSpec, plan: DrawPlan | None, exclusions: dict[str, list[int]], by: StaffMember | None
) -> tuple[SampleDraw, DrawResult, list[SampleDrawCase]]:
    """The draw, its frozen population and its chosen cases, as rows. The population is
    frozen first and the draw worked out from the frozen rows, so a re-run from them draws
    the same cases whatever changed in between."""
    services = list(Service.objects.filter(pk__in=spec.service_ids).order_by("name"))
    team = Team.objects.filter(pk=spec.team_id).first() if spec.team_id is not None else None
    draw = SampleDraw.objects.create(
        cycle=plan.cycle if plan else None,
        filters=spec.filters(services=services, team=team),
        seed=spec.seed,
        population_size=0,  # set below, from the frozen population
        size=0,
        confidence=spec.confidence,
        audit_type=plan.audit_type if plan else "",
        tool_version=plan.tool_version if plan else None,
        planned_month=plan.planned_month if plan else None,
        theme=plan.theme if plan else "",
        quota_team=plan.quota_team if plan else None,
        created_by=actor_login(by),
    )
    population_store(draw, draw_population_cases(spec, exclusions))
    result = draw_from_frozen(spec, draw, exclusions)
    draw.population_size = result.population_size
    draw.exclusions = result.exclusions
    draw.strata = [dataclasses.asdict(s) for s in result.strata]
    draw.size = result.size
    draw.margin_of_error = result.margin_of_error
    draw.save(update_fields=["population_size", "exclusions", "strata", "size", "margin_of_error"])
    rows = SampleDrawCase.objects.bulk_create(
        SampleDrawCase(
            draw=draw,
            case_id=d.case_id,
            stratum=d.stratum,
            stratum_label=result.stratum_labels[d.stratum],
            position=d.position,
            position_in_stratum=d.position_in_stratum,
        )
        for d in result.chosen
    )
    return draw, result, rows


def population_store(draw: SampleDraw, population: QuerySet[ChildCase]) -> None:
    """Freeze a draw's population as rows, numbered stratum by stratum in key order and in
    draw order within each (see `draw_order`), in one `INSERT ... SELECT`: a national draw
    freezes hundreds of thousands of cases, and none of them needs to leave the database.
    `population` has each case's `stratum` annotated. Part of the caller's transaction: a
    draw is stored with its whole population or not at all."""
    meta = SampleDrawPopulation._meta
    quote = connection.ops.quote_name
    column = {f.name: f.column for f in meta.local_concrete_fields if f.column}
    columns = ", ".join(quote(column[name]) for name in ("draw", "position", "case", "stratum"))
    select = population.annotate(
        frozen_in=Value(draw.pk), place=Window(RowNumber(), order_by=draw_order(by_stratum=True))
    ).values_list("frozen_in", "place", "pk", "stratum")
    sql, params = select.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        # Table and column names from the model, quoted; the rest is the ORM's, with parameters.
        cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) {sql}", params)


def audits_share_out(
    *,
    draw: SampleDraw,
    rows: Sequence[SampleDrawCase],
    pool: Sequence[StaffMember],
    plan: DrawPlan,
    by: StaffMember | None,
    only: StaffMember | None = None,
) -> tuple[list[Audit], list[tuple[int, str]]]:
    """Share `rows` out among `pool` (or give them all to `only`, within their quota), create
    an audit for each case someone independent is free to take, due at the end of the plan's
    month plus the cycle's extension, and record on each row who has it or why nobody does.
    `plan` has been through `plan_checked`."""
    cycle, month, tool = plan.cycle, plan.planned_month, plan.tool_version
    if month is None or tool is None:
        raise ValueError("Check the plan with plan_checked before sharing its audits out.")
    cases = ChildCase.objects.select_related("allocated_worker").in_bulk([r.case_id for r in rows])
    people = {p.pk: p for p in pool}
    capacity = monthly_capacities(cycle, plan.audit_type, pool)
    plan_out = assignment.assignments_plan(
        [r.case_id for r in rows],
        [
            assignment.Candidate(p.pk, p.name, capacity.get(p.pk))
            for p in pool
            if only is None or p.pk == only.pk
        ],
        independent=lambda a, c: auditor_is_independent(auditor=people[a], case=cases[c]),
        loads=month_loads(cycle, month),
    )
    audits: list[Audit] = []
    unassigned: list[tuple[int, str]] = []
    for row, planned in zip(rows, plan_out, strict=True):
        if planned.auditor_id is None:
            row.unassigned_reason = planned.reason
            unassigned.append((row.position, planned.reason))
            continue
        audit = audit_create(
            case=cases[row.case_id],
            tool_version=tool,
            audit_type=plan.audit_type,
            auditor=people[planned.auditor_id],
            by=by,
            due_date=due_date_for(cycle, month),
            theme=plan.theme,
        )
        CycleAudit.objects.create(cycle=cycle, audit=audit, draw=draw, planned_month=month)
        row.auditor_id = planned.auditor_id
        audits.append(audit)
    SampleDrawCase.objects.bulk_update(rows, ["auditor", "unassigned_reason"])
    return audits, unassigned
