"""Writes for cycles, quotas, sample draws and reminders. Each runs in one transaction and
records one event per change."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats

from auditloop.accounts.models import AUDITING_ROLES, Role, Service, StaffMember, Team, User
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import Audit, AuditStatus, AuditType, ToolVersion
from auditloop.audits.rules import auditor_is_independent
from auditloop.audits.services.planning import audit_create
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send
from auditloop.sampling import assignment
from auditloop.sampling.draws import DrawResult, DrawSpec, draw_preview
from auditloop.sampling.models import (
    PLANNED_TYPES,
    Cycle,
    CycleAudit,
    Quota,
    QuotaKind,
    ReminderKind,
    ReminderSent,
    SampleDraw,
    SampleDrawCase,
)
from auditloop.sampling.selectors import cycle_can_plan, month_loads

CYCLE_MONTHS = 6
_TYPES = dict(PLANNED_TYPES)


class SamplingRefused(Refused):
    """A planning change the rules do not allow (see `Refused`)."""


def _staff(by: User | None) -> StaffMember | None:
    staff = getattr(by, "staff", None) if by is not None else None
    return staff if isinstance(staff, StaffMember) else None


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def due_date_for(cycle: Cycle, month: datetime.date) -> datetime.date:
    """The end of the month the audit is planned for, plus the cycle's extension."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=last) + datetime.timedelta(days=cycle.due_extension_days)


def _check_auditors(auditors: Sequence[StaffMember]) -> None:
    for person in auditors:
        if person.role not in AUDITING_ROLES or not person.is_active:
            raise SamplingRefused(
                f"{person.name} cannot be in the pool of auditors: only active team managers, "
                "auditors, audit leads and senior leaders audit.",
                field="auditors",
            )


def _require_planner(by: User | None, services: Sequence[Service]) -> None:
    staff = _staff(by)
    if staff is None:
        raise SamplingRefused("Only an audit lead can plan a cycle.")
    overseen = set(services_overseen(staff)) if staff.role == Role.MODERATOR else set()
    if staff.role != Role.MODERATOR or not {s.pk for s in services} <= overseen:
        raise SamplingRefused("Only an audit lead for every service in the cycle can plan it.")


@transaction.atomic
def cycle_create(
    *,
    name: str,
    services: Sequence[Service],
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    tools: Sequence[ToolVersion],
    audit_types: Sequence[str],
    auditors: Sequence[StaffMember],
    due_extension_days: int = 0,
    by: User | None,
) -> Cycle:
    """Plan a cycle. It ends six months after it starts unless `ends_on` says otherwise."""
    if not name.strip():
        raise SamplingRefused("Enter a name for the cycle.", field="name")
    if not services:
        raise SamplingRefused("Choose at least one service the cycle covers.", field="services")
    _require_planner(by, services)
    ends_on = ends_on or add_months(starts_on, CYCLE_MONTHS) - datetime.timedelta(days=1)
    if ends_on <= starts_on:
        raise SamplingRefused("The cycle must end after it starts.", field="ends_on")
    if not tools:
        raise SamplingRefused("Choose at least one audit tool.", field="tools")
    for tool in tools:
        if not tool.is_published:
            raise SamplingRefused(f"{tool} is not published yet.", field="tools")
    if not audit_types or any(t not in _TYPES for t in audit_types):
        raise SamplingRefused(
            "Choose the types of audit: dip sample, deep dive or thematic.", field="audit_types"
        )
    _check_auditors(auditors)
    cycle = Cycle.objects.create(
        name=name.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        audit_types=list(dict.fromkeys(audit_types)),
        due_extension_days=due_extension_days,
        created_by=by,
    )
    cycle.services.set(services)
    cycle.tools.set(tools)
    cycle.auditors.set(auditors)
    event_record(
        actor=by,
        verb="cycle.created",
        target=cycle,
        summary=f"Cycle {cycle.name} planned",
        after={
            **snapshot(cycle, ["name", "starts_on", "ends_on", "audit_types"]),
            "services": [s.name for s in services],
            "tools": [str(t) for t in tools],
            "auditors": [a.pk for a in auditors],
        },
    )
    return cycle


def _month_names(months: Sequence[datetime.date]) -> str:
    names = [m.strftime("%B %Y") for m in sorted(set(months))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    tools: Sequence[ToolVersion],
    audit_types: Sequence[str],
    by: User | None,
) -> Cycle:
    """Change a cycle's name, dates, audit tools and types, keeping everything already drawn
    and planned: refused when the new dates leave planned audits or draws outside the cycle,
    or when a tool or type still in use (by audits, draws or quotas) would be taken away."""
    _require_planner(by, list(cycle.services.all()))
    if not name.strip():
        raise SamplingRefused("Enter a name for the cycle.", field="name")
    ends_on = ends_on or add_months(starts_on, CYCLE_MONTHS) - datetime.timedelta(days=1)
    if ends_on <= starts_on:
        raise SamplingRefused("The cycle must end after it starts.", field="ends_on")
    first, last = starts_on.replace(day=1), ends_on
    months: list[datetime.date] = list(
        CycleAudit.objects.filter(cycle=cycle)
        .exclude(planned_month__gte=first, planned_month__lte=last)
        .values_list("planned_month", flat=True)
        .distinct()
    )
    months += [
        m
        for m in SampleDraw.objects.filter(cycle=cycle, planned_month__isnull=False)
        .exclude(planned_month__gte=first, planned_month__lte=last)
        .values_list("planned_month", flat=True)
        .distinct()
        if m is not None
    ]
    if months:
        raise SamplingRefused(
            f"Audits or samples are already planned for {_month_names(months)}, which would "
            "fall outside the new dates. Choose dates that include them.",
            field="starts_on" if min(months) < first else "ends_on",
        )
    if not tools:
        raise SamplingRefused("Choose at least one audit tool.", field="tools")
    for tool in tools:
        if not tool.is_published:
            raise SamplingRefused(f"{tool} is not published yet.", field="tools")
    kept_tools = {t.pk for t in tools}
    in_use = (
        ToolVersion.objects.filter(
            Q(pk__in=SampleDraw.objects.filter(cycle=cycle).values("tool_version_id"))
            | Q(pk__in=CycleAudit.objects.filter(cycle=cycle).values("audit__tool_version_id"))
        )
        .exclude(pk__in=kept_tools)
        .select_related("tool")
    )
    dropped = [str(t) for t in in_use]
    if dropped:
        raise SamplingRefused(
            f"Audits already planned in this cycle use {', '.join(dropped)}: keep it.",
            field="tools",
        )
    if not audit_types or any(t not in _TYPES for t in audit_types):
        raise SamplingRefused(
            "Choose the types of audit: dip sample, deep dive or thematic.", field="audit_types"
        )
    used_types = set(
        CycleAudit.objects.filter(cycle=cycle).values_list("audit__audit_type", flat=True)
    ) | set(cycle.quotas.values_list("audit_type", flat=True))
    missing = [label for t, label in PLANNED_TYPES if t in used_types and t not in audit_types]
    if missing:
        raise SamplingRefused(
            f"This cycle already has {' and '.join(str(m).lower() for m in missing)} audits "
            "or quotas: keep the type, or remove its quotas first.",
            field="audit_types",
        )
    fields = ["name", "starts_on", "ends_on", "audit_types"]
    before = {
        **snapshot(cycle, fields),
        "tools": sorted(str(t) for t in cycle.tools.select_related("tool")),
    }
    cycle.name = name.strip()
    cycle.starts_on = starts_on
    cycle.ends_on = ends_on
    cycle.audit_types = list(dict.fromkeys(audit_types))
    cycle.save(update_fields=fields)
    cycle.tools.set(tools)
    event_record(
        actor=by,
        verb="cycle.changed",
        target=cycle,
        summary=f"Cycle {cycle.name} changed",
        before=before,
        after={**snapshot(cycle, fields), "tools": sorted(str(t) for t in tools)},
    )
    return cycle


@transaction.atomic
def cycle_auditors_set(*, cycle: Cycle, auditors: Sequence[StaffMember], by: User | None) -> Cycle:
    """Replace the cycle's pool of auditors. Audits already assigned keep their auditor."""
    _require_planner(by, list(cycle.services.all()))
    _check_auditors(auditors)
    before = sorted(cycle.auditors.values_list("pk", flat=True))
    cycle.auditors.set(auditors)
    event_record(
        actor=by,
        verb="cycle.auditors_changed",
        target=cycle,
        summary=f"Auditors of cycle {cycle.name} changed",
        before={"auditors": before},
        after={"auditors": sorted(a.pk for a in auditors)},
    )
    return cycle


@transaction.atomic
def quota_add(
    *, cycle: Cycle, kind: str, audit_type: str, per_month: int, role: str = "", by: User | None
) -> Quota:
    """Add a line to the plan: each auditor (of `role`, or all) N audits a month, or N cases
    from each team a month."""
    _require_planner(by, list(cycle.services.all()))
    if kind not in QuotaKind.values:
        raise SamplingRefused("Choose what the quota counts.", field="kind")
    if audit_type not in cycle.audit_types:
        raise SamplingRefused(
            "Choose one of the types of audit this cycle plans.", field="audit_type"
        )
    if per_month < 1:
        raise SamplingRefused("A quota is at least one a month.", field="per_month")
    if role and (kind != QuotaKind.PER_AUDITOR or role not in AUDITING_ROLES):
        raise SamplingRefused(
            "Only a quota for each auditor names a role, and it must be an auditing role.",
            field="role",
        )
    quota = Quota.objects.create(
        cycle=cycle, kind=kind, audit_type=audit_type, per_month=per_month, role=role
    )
    event_record(
        actor=by,
        verb="cycle.quota_added",
        target=cycle,
        summary=f"Quota added to cycle {cycle.name}: {quota}",
        after=snapshot(quota, ["kind", "audit_type", "per_month", "role"]),
    )
    return quota


@transaction.atomic
def quota_remove(*, quota: Quota, by: User | None) -> None:
    cycle = quota.cycle
    _require_planner(by, list(cycle.services.all()))
    before = snapshot(quota, ["kind", "audit_type", "per_month", "role"])
    quota.delete()
    event_record(
        actor=by,
        verb="cycle.quota_removed",
        target=cycle,
        summary=f"Quota removed from cycle {cycle.name}",
        before=before,
    )


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


@dataclass
class DrawSaved:
    draw: SampleDraw
    result: DrawResult
    audits: list[Audit]
    unassigned: list[tuple[int, str]]  # (draw position, reason)


def _check_draw_against_cycle(
    cycle: Cycle, spec: DrawSpec, audit_type: str, tool_version: ToolVersion | None
) -> DrawSpec:
    service_ids = {s.pk for s in cycle.services.all()}
    if not spec.service_ids:
        spec = dataclasses.replace(spec, service_ids=tuple(sorted(service_ids)))
    elif not set(spec.service_ids) <= service_ids:
        raise SamplingRefused("Draw only from the services this cycle covers.", field="service")
    if (
        spec.team_id is not None
        and not Team.objects.filter(pk=spec.team_id, service_id__in=spec.service_ids).exists()
    ):
        raise SamplingRefused("Draw only from teams in the cycle's services.", field="team")
    if audit_type not in cycle.audit_types:
        raise SamplingRefused(
            "Choose one of the types of audit this cycle plans.", field="audit_type"
        )
    if tool_version is None or not cycle.tools.filter(pk=tool_version.pk).exists():
        raise SamplingRefused("Choose one of the cycle's audit tools.", field="tool_version")
    return spec


@transaction.atomic
def draw_save(
    *,
    spec: DrawSpec,
    by: User | None,
    cycle: Cycle | None = None,
    audit_type: str = "",
    tool_version: ToolVersion | None = None,
    planned_month: datetime.date | None = None,
    create_audits: bool = False,
    auditors: Sequence[StaffMember] = (),
    today: datetime.date | None = None,
    theme: str = "",
    quota_team: Team | None = None,
) -> DrawSaved:
    """Draw and store a sample: seed, filters, frozen population, exclusions and, per chosen
    case, its stratum and place in the draw. Within a cycle, cases held or managed by every
    auditor in its pool are excluded; with `create_audits` each chosen case becomes an audit
    shared evenly among the pool (least-loaded first), due at the end of `planned_month` plus
    the cycle's extension. Cases nobody independent is free to audit are kept, unassigned,
    with the reason. Outside a cycle, `auditors` (if any) decides the same exclusion.

    A thematic audit needs its `theme`; `quota_team` marks the draw as that team's share of
    the month's per-team quota (see `month_plan`)."""
    theme = theme.strip()
    if audit_type == AuditType.THEMATIC and not theme:
        raise SamplingRefused("Enter the theme of the thematic audits.", field="theme")
    if theme and audit_type != AuditType.THEMATIC:
        raise SamplingRefused("Only a thematic audit has a theme.", field="theme")
    pool: list[StaffMember] = list(auditors)
    if cycle is not None:
        if not cycle_can_plan_by(by, cycle):
            raise SamplingRefused("Only an audit lead for this cycle's services can draw for it.")
        spec = _check_draw_against_cycle(cycle, spec, audit_type, tool_version)
        pool = list(cycle.auditors.filter(is_active=True).order_by("name", "pk"))
        if planned_month is None:
            raise SamplingRefused(
                "Choose the month the audits are planned for.", field="planned_month"
            )
        planned_month = planned_month.replace(day=1)
        if not cycle.starts_on.replace(day=1) <= planned_month <= cycle.ends_on:
            raise SamplingRefused("Choose a month inside the cycle.", field="planned_month")
    elif create_audits:
        raise SamplingRefused("Audits are created only for a draw within a cycle.")
    elif by is not None and not _may_draw_outside_cycle(by, spec):
        raise SamplingRefused("Only an audit lead for the services drawn from can draw.")
    if create_audits and not pool:
        raise SamplingRefused("Add auditors to the cycle before creating audits.", field="auditors")
    result = draw_preview(spec, auditors=pool, today=today)
    services = list(Service.objects.filter(pk__in=spec.service_ids).order_by("name"))
    team = Team.objects.filter(pk=spec.team_id).first() if spec.team_id is not None else None
    draw = SampleDraw.objects.create(
        cycle=cycle,
        filters=spec.filters(services=services, team=team),
        seed=spec.seed,
        population=[[case_id, stratum] for case_id, stratum in result.population],
        population_size=result.population_size,
        exclusions=result.exclusions,
        strata=[dataclasses.asdict(s) for s in result.strata],
        size=result.size,
        confidence=spec.confidence,
        margin_of_error=result.margin_of_error,
        audit_type=audit_type,
        tool_version=tool_version,
        planned_month=planned_month,
        theme=theme,
        quota_team=quota_team,
        created_by=by,
    )
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
    event_record(
        actor=by,
        verb="sample.drawn",
        target=draw,
        summary=f"Sample of {result.size} drawn from {result.population_size} cases",
        after={
            "seed": spec.seed,
            "size": result.size,
            "population": result.population_size,
            "cycle": str(cycle.public_id) if cycle else None,
        },
    )
    audits: list[Audit] = []
    unassigned: list[tuple[int, str]] = []
    if create_audits and cycle is not None and planned_month is not None and tool_version:
        audits, unassigned = audits_share_out(
            cycle=cycle,
            draw=draw,
            rows=rows,
            pool=pool,
            audit_type=audit_type,
            tool_version=tool_version,
            month=planned_month,
            theme=theme,
            by=by,
        )
    return DrawSaved(draw, result, audits, unassigned)


def _may_draw_outside_cycle(by: User, spec: DrawSpec) -> bool:
    """Audit leads, when every service drawn from is one they oversee."""
    staff = _staff(by)
    if staff is None:
        return False
    return (
        staff.role == Role.MODERATOR
        and bool(spec.service_ids)
        and set(spec.service_ids) <= set(services_overseen(staff))
    )


def cycle_can_plan_by(by: User | None, cycle: Cycle) -> bool:
    staff = _staff(by)
    return staff is not None and cycle_can_plan(staff, cycle)


def audits_share_out(
    *,
    cycle: Cycle,
    draw: SampleDraw,
    rows: Sequence[SampleDrawCase],
    pool: Sequence[StaffMember],
    audit_type: str,
    tool_version: ToolVersion,
    month: datetime.date,
    theme: str = "",
    by: User | None,
    only: StaffMember | None = None,
) -> tuple[list[Audit], list[tuple[int, str]]]:
    """Share `rows` out among `pool` (or give them all to `only`, within their quota), create
    an audit for each case someone independent is free to take, and record on each row who
    has it or why nobody does."""
    cases = ChildCase.objects.select_related("allocated_worker").in_bulk([r.case_id for r in rows])
    people = {p.pk: p for p in pool}
    capacity = monthly_capacities(cycle, audit_type, pool)
    candidates = [
        assignment.Candidate(p.pk, p.name, capacity.get(p.pk))
        for p in pool
        if only is None or p.pk == only.pk
    ]
    plan = assignment.assignments_plan(
        [r.case_id for r in rows],
        candidates,
        independent=lambda a, c: auditor_is_independent(auditor=people[a], case=cases[c]),
        loads=month_loads(cycle, month),
    )
    due = due_date_for(cycle, month)
    audits: list[Audit] = []
    unassigned: list[tuple[int, str]] = []
    for row, planned in zip(rows, plan, strict=True):
        if planned.auditor_id is None:
            row.unassigned_reason = planned.reason
            unassigned.append((row.position, planned.reason))
            continue
        try:
            audit = audit_create(
                case=cases[row.case_id],
                tool_version=tool_version,
                audit_type=audit_type,
                auditor=people[planned.auditor_id],
                by=_staff(by),
                due_date=due,
                theme=theme,
            )
        except Refused as exc:
            raise SamplingRefused(exc.message) from exc
        CycleAudit.objects.create(cycle=cycle, audit=audit, draw=draw, planned_month=month)
        row.auditor_id = planned.auditor_id
        audits.append(audit)
    SampleDrawCase.objects.bulk_update(rows, ["auditor", "unassigned_reason"])
    return audits, unassigned


@dataclass(frozen=True)
class RemindersSent:
    due_soon: int
    overdue: int
    auditors: int  # people reminded: one message each, however many audits


def _reminder_message(audits: Sequence[Audit], today: datetime.date) -> tuple[str, str, str]:
    """(message, email subject, url) for one auditor's audits due soon or overdue."""
    late = [a for a in audits if a.due_date is not None and a.due_date < today]
    soon = [a for a in audits if a not in late]
    parts = []
    if late:
        parts.append(f"{len(late)} overdue")
    if soon:
        first = min(a.due_date for a in soon if a.due_date is not None)
        parts.append(f"{len(soon)} due soon (the first on {formats.date_format(first, 'j F Y')})")
    cycles = sorted({a.cycle_link.cycle.name for a in audits})
    noun = "audit" if len(audits) == 1 else "audits"
    message = f"Your {noun} in {', '.join(cycles)}: {' and '.join(parts)}."
    subject = "Audits overdue" if late else "Audits due soon"
    if len(audits) == 1:
        try:
            url = reverse("audits:detail", args=[audits[0].public_id])
        except NoReverseMatch:
            url = reverse("audits:list")
    else:
        url = reverse("audits:list")
    return message, subject, url


@transaction.atomic
def reminders_send(*, today: datetime.date, within_days: int = 7) -> RemindersSent:
    """Remind each auditor, in one message, of their cycle audits due within `within_days`
    days or overdue. Idempotent per day: an audit reminded today is not reminded again
    until tomorrow."""
    if within_days < 0:
        raise SamplingRefused("The number of days ahead cannot be negative.")
    already = ReminderSent.objects.filter(sent_on=today).values("audit_id")
    audits = (
        Audit.objects.filter(
            cycle_link__isnull=False,
            status__in=(AuditStatus.PLANNED, AuditStatus.IN_PROGRESS),
            due_date__isnull=False,
            due_date__lte=today + datetime.timedelta(days=within_days),
        )
        .exclude(pk__in=already)
        .select_related("auditor", "cycle_link__cycle")
        .order_by("auditor__name", "auditor_id", "due_date", "pk")
    )
    by_auditor: dict[int, list[Audit]] = {}
    for audit in audits:
        by_auditor.setdefault(audit.auditor_id, []).append(audit)
    due_soon = overdue = 0
    for mine in by_auditor.values():
        message, subject, url = _reminder_message(mine, today)
        notification_send(
            recipients=[mine[0].auditor], message=message, url=url, email_subject=subject
        )
        for audit in mine:
            due = audit.due_date or today  # the query excludes audits without a due date
            kind = ReminderKind.OVERDUE if due < today else ReminderKind.DUE_SOON
            if kind == ReminderKind.OVERDUE:
                overdue += 1
            else:
                due_soon += 1
            ReminderSent.objects.create(audit=audit, sent_on=today, kind=kind)
            event_record(
                actor=None,
                verb="audit.reminder_sent",
                target=audit,
                summary=f"Reminder sent: {ReminderKind(kind).label.lower()}",
                after={"kind": kind, "due_date": due.isoformat()},
            )
    return RemindersSent(due_soon, overdue, len(by_auditor))
