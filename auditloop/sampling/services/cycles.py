"""Writes for cycles: planning one, changing it, its pool of auditors and its quotas. Each runs
in one transaction, records one event, and refuses with a plain-English `Refused` anything the
plan does not allow."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from auditloop.accounts.models import AUDITING_ROLES, Service, StaffMember
from auditloop.audits.models import ToolVersion
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.versions import version_claim
from auditloop.sampling.access import CANNOT_PLAN, can_plan_services, require_can_plan
from auditloop.sampling.models import (
    PLANNED_TYPES,
    Cycle,
    CycleAudit,
    Quota,
    QuotaKind,
    SampleDraw,
)
from auditloop.sampling.rules.months import cycle_end, month_names

_TYPES = dict(PLANNED_TYPES)
_CYCLE_FIELDS = [
    "name",
    "starts_on",
    "ends_on",
    "audit_types",
    "moderation_percent",
    "revisit_weeks",
    "late_to_manager_days",
    "late_to_lead_days",
]


def _cycle_checked(
    *,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    tools: Sequence[ToolVersion],
    audit_types: Sequence[str],
) -> tuple[str, datetime.date]:
    """What planning and changing a cycle both require; the name and end date it gets."""
    if not name.strip():
        raise Refused("Enter a name for the cycle.", field="name")
    ends_on = cycle_end(starts_on, ends_on)
    if ends_on <= starts_on:
        raise Refused("The cycle must end after it starts.", field="ends_on")
    if not tools:
        raise Refused("Choose at least one audit tool.", field="tools")
    for tool in tools:
        if not tool.is_published:
            raise Refused(f"{tool} is not published yet.", field="tools")
    if not audit_types or any(t not in _TYPES for t in audit_types):
        raise Refused(
            "Choose the types of audit: dip sample, deep dive or thematic.", field="audit_types"
        )
    return name.strip(), ends_on


def _check_auditors(auditors: Sequence[StaffMember]) -> None:
    for person in auditors:
        if person.role not in AUDITING_ROLES or not person.is_active:
            raise Refused(
                f"{person.name} cannot be in the pool of auditors: only active team managers, "
                "auditors, audit leads and senior leaders audit.",
                field="auditors",
            )


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
    by: StaffMember,
) -> Cycle:
    """Plan a cycle. It ends six months after it starts unless `ends_on` says otherwise."""
    if not services:
        raise Refused("Choose at least one service the cycle covers.", field="services")
    if not can_plan_services(by, (s.pk for s in services)):
        raise Refused(CANNOT_PLAN)
    name, ends_on = _cycle_checked(
        name=name, starts_on=starts_on, ends_on=ends_on, tools=tools, audit_types=audit_types
    )
    _check_auditors(auditors)
    cycle = Cycle.objects.create(
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        audit_types=list(dict.fromkeys(audit_types)),
        due_extension_days=due_extension_days,
        created_by=by.user,
    )
    cycle.services.set(services)
    cycle.tools.set(tools)
    cycle.auditors.set(auditors)
    event_record(
        actor=by.user,
        verb="cycle.created",
        target=cycle,
        summary=f"Cycle {cycle.name} planned",
        after={
            **snapshot(cycle, _CYCLE_FIELDS),
            "services": [s.name for s in services],
            "tools": [str(t) for t in tools],
            "auditors": [a.pk for a in auditors],
        },
    )
    return cycle


def _check_planned_work_kept(
    cycle: Cycle,
    *,
    first: datetime.date,
    last: datetime.date,
    tools: Sequence[ToolVersion],
    audit_types: Sequence[str],
) -> None:
    """Refuse new dates that leave planned audits or draws outside the cycle, and taking away
    a tool or a type still in use by its audits, draws or quotas."""
    planned = CycleAudit.objects.filter(cycle=cycle)
    outside = Q(planned_month__gte=first, planned_month__lte=last)
    months = set(planned.exclude(outside).values_list("planned_month", flat=True))
    months |= {
        m
        for m in SampleDraw.objects.filter(cycle=cycle, planned_month__isnull=False)
        .exclude(outside)
        .values_list("planned_month", flat=True)
        if m is not None
    }
    if months:
        raise Refused(
            f"Audits or samples are already planned for {month_names(months)}, which would "
            "fall outside the new dates. Choose dates that include them.",
            field="starts_on" if min(months) < first else "ends_on",
        )
    in_use = (
        ToolVersion.objects.filter(
            Q(pk__in=SampleDraw.objects.filter(cycle=cycle).values("tool_version_id"))
            | Q(pk__in=planned.values("audit__tool_version_id"))
        )
        .exclude(pk__in=[t.pk for t in tools])
        .select_related("tool")
    )
    dropped = [str(t) for t in in_use]
    if dropped:
        raise Refused(
            f"Audits already planned in this cycle use {', '.join(dropped)}: keep it.",
            field="tools",
        )
    used_types = set(planned.values_list("audit__audit_type", flat=True)) | set(
        cycle.quotas.values_list("audit_type", flat=True)
    )
    missing = [label for t, label in PLANNED_TYPES if t in used_types and t not in audit_types]
    if missing:
        raise Refused(
            f"This cycle already has {' and '.join(str(m).lower() for m in missing)} audits "
            "or quotas: keep the type, or remove its quotas first.",
            field="audit_types",
        )


def _check_late_days(to_manager: int, to_lead: int) -> None:
    """Late audits escalate step by step: to the manager first, then to the audit lead."""
    for days, field in ((to_manager, "late_to_manager_days"), (to_lead, "late_to_lead_days")):
        if not 1 <= days <= 90:
            raise Refused("The days late before escalating must be from 1 to 90.", field=field)
    if to_lead <= to_manager:
        raise Refused(
            "A late audit goes to the audit lead after it goes to the auditor's manager: enter "
            f"more days for the audit lead than for the manager ({to_manager}).",
            field="late_to_lead_days",
        )


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    tools: Sequence[ToolVersion],
    audit_types: Sequence[str],
    moderation_percent: int | None = None,
    revisit_weeks: int | None = None,
    late_to_manager_days: int | None = None,
    late_to_lead_days: int | None = None,
    by: StaffMember,
    expected_version: int | None = None,
) -> Cycle:
    """Change a cycle's name, dates, audit tools and types, keeping everything already drawn
    and planned: refused when the new dates leave planned audits or draws outside the cycle,
    or when a tool or type still in use (by audits, draws or quotas) would be taken away. The
    share moderated at random and the weeks before a revisit change when given (samples
    already drawn keep the share they were drawn with). `expected_version` is the cycle's
    version the page was drawn from: if someone saved the cycle since, `RecordChanged` is
    raised and nothing is written (None: no such check)."""
    require_can_plan(by, cycle)
    if moderation_percent is not None and not 0 <= moderation_percent <= 100:
        raise Refused(
            "The share moderated at random must be from 0 to 100.", field="moderation_percent"
        )
    if revisit_weeks is not None and not 1 <= revisit_weeks <= 52:
        raise Refused("The weeks before a revisit must be from 1 to 52.", field="revisit_weeks")
    _check_late_days(
        late_to_manager_days if late_to_manager_days is not None else cycle.late_to_manager_days,
        late_to_lead_days if late_to_lead_days is not None else cycle.late_to_lead_days,
    )
    name, ends_on = _cycle_checked(
        name=name, starts_on=starts_on, ends_on=ends_on, tools=tools, audit_types=audit_types
    )
    _check_planned_work_kept(
        cycle, first=starts_on.replace(day=1), last=ends_on, tools=tools, audit_types=audit_types
    )
    version_claim(record=cycle, expected=expected_version, what="cycle")
    before = {
        **snapshot(cycle, _CYCLE_FIELDS),
        "tools": sorted(str(t) for t in cycle.tools.select_related("tool")),
    }
    cycle.name = name
    cycle.starts_on = starts_on
    cycle.ends_on = ends_on
    cycle.audit_types = list(dict.fromkeys(audit_types))
    if moderation_percent is not None:
        cycle.moderation_percent = moderation_percent
    if revisit_weeks is not None:
        cycle.revisit_weeks = revisit_weeks
    if late_to_manager_days is not None:
        cycle.late_to_manager_days = late_to_manager_days
    if late_to_lead_days is not None:
        cycle.late_to_lead_days = late_to_lead_days
    cycle.save(update_fields=_CYCLE_FIELDS)  # not the version, which version_claim moved
    cycle.tools.set(tools)
    event_record(
        actor=by.user,
        verb="cycle.changed",
        target=cycle,
        summary=f"Cycle {cycle.name} changed",
        before=before,
        after={**snapshot(cycle, _CYCLE_FIELDS), "tools": sorted(str(t) for t in tools)},
    )
    return cycle


@transaction.atomic
def cycle_auditors_set(
    *,
    cycle: Cycle,
    auditors: Sequence[StaffMember],
    by: StaffMember,
    expected_version: int | None = None,
) -> Cycle:
    """Replace the cycle's pool of auditors. Audits already assigned keep their auditor.
    `expected_version` as for `cycle_update`: a pool chosen on a page drawn before someone
    else saved the cycle is refused."""
    require_can_plan(by, cycle)
    _check_auditors(auditors)
    version_claim(record=cycle, expected=expected_version, what="cycle")
    before = sorted(cycle.auditors.values_list("pk", flat=True))
    cycle.auditors.set(auditors)
    event_record(
        actor=by.user,
        verb="cycle.auditors_changed",
        target=cycle,
        summary=f"Auditors of cycle {cycle.name} changed",
        before={"auditors": before},
        after={"auditors": sorted(a.pk for a in auditors)},
    )
    return cycle


@transaction.atomic
def quota_add(
    *, cycle: Cycle, kind: str, audit_type: str, per_month: int, role: str = "", by: StaffMember
) -> Quota:
    """Add a line to the plan: each auditor (of `role`, or all) N audits a month, or N cases
    from each team a month."""
    require_can_plan(by, cycle)
    if kind not in QuotaKind.values:
        raise Refused("Choose what the quota counts.", field="kind")
    if audit_type not in cycle.audit_types:
        raise Refused("Choose one of the types of audit this cycle plans.", field="audit_type")
    if per_month < 1:
        raise Refused("A quota is at least one a month.", field="per_month")
    if role and (kind != QuotaKind.PER_AUDITOR or role not in AUDITING_ROLES):
        raise Refused(
            "Only a quota for each auditor names a role, and it must be an auditing role.",
            field="role",
        )
    quota = Quota.objects.create(
        cycle=cycle, kind=kind, audit_type=audit_type, per_month=per_month, role=role
    )
    event_record(
        actor=by.user,
        verb="cycle.quota_added",
        target=cycle,
        summary=f"Quota added to cycle {cycle.name}: {quota}",
        after=snapshot(quota, ["kind", "audit_type", "per_month", "role"]),
    )
    return quota


@transaction.atomic
def quota_remove(*, quota: Quota, by: StaffMember) -> None:
    cycle = quota.cycle
    require_can_plan(by, cycle)
    before = snapshot(quota, ["kind", "audit_type", "per_month", "role"])
    quota.delete()
    event_record(
        actor=by.user,
        verb="cycle.quota_removed",
        target=cycle,
        summary=f"Quota removed from cycle {cycle.name}",
        before=before,
    )
