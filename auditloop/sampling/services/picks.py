"""Writes for cases an audit lead chooses for deep dives and thematic audits: a pick list, each
case with the reason it was chosen, and turning the list into audits. Each runs in one
transaction, records one event per change and refuses, with a plain-English `Refused`,
anything the plan does not allow."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from auditloop.accounts.models import Service, StaffMember
from auditloop.audits.models import Audit, AuditType, ToolVersion
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.sampling.access import require_can_plan
from auditloop.sampling.models import Cycle, DrawMethod, SampleDraw, SampleDrawCase
from auditloop.sampling.rules.independence import auditor_is_independent
from auditloop.sampling.rules.months import month_in_cycle, month_name
from auditloop.sampling.selectors.months import month_loads, monthly_capacities
from auditloop.sampling.selectors.picks import CASE_NOT_FOUND, case_in_cycle, pick_list_of
from auditloop.sampling.services.draws import (
    DrawPlan,
    audits_share_out,
    lock_cycle,
    plan_checked,
    planning_pool,
)

# Deep dives and thematic audits are chosen; dip samples are drawn at random.
CHOSEN_TYPES = (AuditType.DEEP_DIVE.value, AuditType.THEMATIC.value)


@transaction.atomic
def pick_add(*, cycle: Cycle, case: ChildCase, reason: str, by: StaffMember) -> SampleDrawCase:
    """Add a case the audit lead chose to the cycle's pick list, with why it was chosen.
    Only open cases in the cycle's services; each case once."""
    require_can_plan(by, cycle)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why this case was chosen.", field="reason")
    if not case_in_cycle(cycle, case):
        raise Refused(CASE_NOT_FOUND)
    lock_cycle(cycle)
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
            created_by=by.user,
        )
    elif draft.chosen.filter(case=case).exists():
        raise Refused("That case is already on the list.")
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
        added_by=by.user,
    )
    event_record(
        actor=by.user,
        verb="sample.case_chosen",
        target=draft,
        summary="Case added to the pick list",
        after={"case": str(case.public_id)},
        # Why a case was chosen speaks about the child: logged as changed, never by value.
        content_changed=["reason"],
    )
    return row


@transaction.atomic
def pick_remove(*, cycle: Cycle, case: ChildCase, by: StaffMember) -> None:
    """Take a case off the pick list before its audits are planned."""
    require_can_plan(by, cycle)
    draft = pick_list_of(cycle)
    row = draft.chosen.filter(case=case).first() if draft is not None else None
    if draft is None or row is None:
        raise Refused("That case is not on the list.")
    before = {"case": str(case.public_id)}
    row.delete()
    event_record(
        actor=by.user,
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
    by: StaffMember,
) -> PicksPlanned:
    """Turn the pick list into audits of `audit_type` (deep dive or thematic), due at the end
    of `planned_month`. With `auditor`, they take every case (refused unless they are in the
    pool, hold or manage none of the cases, and have room under their monthly quota); without,
    the cases are shared out evenly as a drawn sample's are, and any case nobody independent is
    free to take is kept, unassigned, with the reason."""
    require_can_plan(by, cycle)
    lock_cycle(cycle)
    draft = pick_list_of(cycle)
    rows = list(draft.chosen.order_by("position")) if draft is not None else []
    if draft is None or not rows:
        raise Refused("Add at least one case to the list first.")
    if audit_type not in CHOSEN_TYPES:
        raise Refused(
            "Chosen cases are for deep dives and thematic audits; dip samples are drawn.",
            field="audit_type",
        )
    # A deep dive has no theme: one typed and then left behind by a change of type is dropped.
    theme = theme if audit_type == AuditType.THEMATIC else ""
    plan = plan_checked(DrawPlan(cycle, audit_type, tool_version, planned_month, True, theme))
    month = month_in_cycle(cycle, plan.planned_month)
    pool = planning_pool(cycle)
    if auditor is not None:
        _check_named_auditor(plan, month, auditor, pool, rows)
    _pick_list_close(draft, plan, month, size=len(rows))
    audits, unassigned = audits_share_out(
        draw=draft, rows=rows, pool=pool, plan=plan, by=by, only=auditor
    )
    event_record(
        actor=by.user,
        verb="sample.chosen_planned",
        target=draft,
        summary=f"{len(rows)} chosen case{'s' if len(rows) != 1 else ''} planned for "
        f"{month_name(month)}",
        after={
            "audit_type": plan.audit_type,
            "theme": plan.theme,
            "tool_version": str(plan.tool_version),
            "planned_month": month.isoformat(),
            "auditor": auditor.pk if auditor is not None else None,
            "audits": len(audits),
            "unassigned": len(unassigned),
        },
    )
    return PicksPlanned(draft, audits, unassigned)


def _pick_list_close(draft: SampleDraw, plan: DrawPlan, month: datetime.date, *, size: int) -> None:
    """The pick list becomes a stored draw of the plan's audits: no longer a draft."""
    draft.is_draft = False
    draft.audit_type = plan.audit_type
    draft.tool_version = plan.tool_version
    draft.planned_month = month
    draft.theme = plan.theme
    draft.size = size
    draft.save(
        update_fields=["is_draft", "audit_type", "tool_version", "planned_month", "theme", "size"]
    )


def _check_named_auditor(
    plan: DrawPlan,
    month: datetime.date,
    auditor: StaffMember,
    pool: list[StaffMember],
    rows: list[SampleDrawCase],
) -> None:
    if auditor.pk not in {p.pk for p in pool}:
        raise Refused(f"{auditor.name} is not an active auditor in this cycle.", field="auditor")
    cases = ChildCase.objects.select_related("allocated_worker").filter(
        pk__in=[r.case_id for r in rows]
    )
    held = sum(1 for case in cases if not auditor_is_independent(auditor=auditor, case=case))
    if held:
        raise Refused(
            f"{auditor.name} holds or manages {held} of the chosen cases, so cannot audit "
            "them. Choose someone else, or share the cases out evenly.",
            field="auditor",
        )
    cap = monthly_capacities(plan.cycle, plan.audit_type, pool).get(auditor.pk)
    load = month_loads(plan.cycle, month).get(auditor.pk, 0)
    if cap is not None and load + len(rows) > cap:
        raise Refused(
            f"{auditor.name} already has {load} audit{'s' if load != 1 else ''} in "
            f"{month_name(month)} and their quota is {cap} a month. Choose someone else, or "
            "share the cases out evenly.",
            field="auditor",
        )
