"""Pages that turn a cycle's plan into audits: choosing cases for deep dives and thematic
audits, and "Plan this month" from the per-team quotas."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from auditloop.accounts.access import roles_required
from auditloop.audits.rules import auditor_is_independent
from auditloop.cases.models import ChildCase
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.sampling.access import get_cycle_for_user
from auditloop.sampling.forms import FindCaseForm, MonthPlanForm, PickAddForm, PicksPlanForm
from auditloop.sampling.models import Cycle, SampleDrawCase
from auditloop.sampling.selectors import (
    cycle_case,
    cycle_case_by_child_id,
    cycle_months,
    month_plan_draws,
    months_planned,
    pick_list_rows,
)
from auditloop.sampling.services import SamplingRefused
from auditloop.sampling.services_planning import (
    CHOSEN_TYPES,
    month_plan,
    pick_add,
    pick_list_of,
    pick_remove,
    picks_plan,
    team_quotas,
)
from auditloop.sampling.views import PLANNERS, _refusal_to_form

NOT_FOUND = "No open case with that LA child ID in this cycle's services."


def _choose_page(
    request: HttpRequest,
    cycle: Cycle,
    *,
    find_form: FindCaseForm | None = None,
    found: ChildCase | None = None,
    add_form: PickAddForm | None = None,
    plan_form: PicksPlanForm | None = None,
) -> HttpResponse:
    """The pick list page: find a case, add it with a reason, then plan the audits."""
    rows = pick_list_rows(pick_list_of(cycle))
    pool = list(cycle.auditors.filter(is_active=True).select_related("team").order_by("name"))
    cases = [r.case for r in rows]
    independent = [a for a in pool if all(auditor_is_independent(auditor=a, case=c) for c in cases)]
    if plan_form is None:
        plan_form = PicksPlanForm(cycle=cycle, independent=independent)
    found_held = (
        [a for a in pool if not auditor_is_independent(auditor=a, case=found)] if found else []
    )
    # The pick list names each child's case: showing it is a read of each.
    access_shown(user=request.user, targets=cases, purpose=Purpose.PICK_LIST)
    return render(
        request,
        "sampling/choose.html",
        {
            "cycle": cycle,
            "rows": rows,
            "pool": pool,
            "can_choose": any(t in cycle.audit_types for t in CHOSEN_TYPES),
            "find_form": find_form or FindCaseForm(),
            "found": found,
            "found_on_list": found is not None and any(c.pk == found.pk for c in cases),
            "found_held": found_held,
            "add_form": add_form
            or (PickAddForm(initial={"case": found.public_id}) if found else None),
            "plan_form": plan_form,
        },
    )


@roles_required(*PLANNERS)
def choose_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    return _choose_page(request, cycle)


@require_POST
@roles_required(*PLANNERS)
def choose_find_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Find a case by its LA child ID. A search, so a POST: the ID never goes in a URL."""
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    form = FindCaseForm(request.POST)
    found = None
    if form.is_valid():
        found = cycle_case_by_child_id(cycle, form.cleaned_data["la_child_id"])
        if found is None:
            form.add_error("la_child_id", NOT_FOUND)
        else:
            access_shown(user=request.user, targets=[found], purpose=Purpose.SEARCH)
    return _choose_page(request, cycle, find_form=form, found=found)


@require_POST
@roles_required(*PLANNERS)
def choose_add_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    form = PickAddForm(request.POST)
    found = cycle_case(cycle, request.POST.get("case", ""))
    if form.is_valid():
        if found is None:
            form.add_error(None, NOT_FOUND)
        else:
            try:
                pick_add(
                    cycle=cycle,
                    case=found,
                    reason=form.cleaned_data["reason"],
                    by=request.user,  # type: ignore[arg-type]
                )
            except SamplingRefused as exc:
                _refusal_to_form(form, exc)
            else:
                messages.success(request, "Case added to the list.")
                return redirect("sampling:choose", public_id=cycle.public_id)
    return _choose_page(request, cycle, found=found, add_form=form)


@require_POST
@roles_required(*PLANNERS)
def choose_remove_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    draft = pick_list_of(cycle)
    case_id = request.POST.get("case", "")
    row = (
        SampleDrawCase.objects.filter(draw=draft, case__public_id=case_id)
        .select_related("case")
        .first()
        if draft is not None and _is_uuid(case_id)
        else None
    )
    if row is None:
        raise Http404("That case is not on the list.")
    pick_remove(cycle=cycle, case=row.case, by=request.user)  # type: ignore[arg-type]
    messages.success(request, "Case taken off the list.")
    return redirect("sampling:choose", public_id=cycle.public_id)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@require_POST
@roles_required(*PLANNERS)
def choose_plan_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    rows = pick_list_rows(pick_list_of(cycle))
    pool = list(cycle.auditors.filter(is_active=True).order_by("name"))
    independent = [
        a for a in pool if all(auditor_is_independent(auditor=a, case=r.case) for r in rows)
    ]
    form = PicksPlanForm(request.POST, cycle=cycle, independent=independent)
    if form.is_valid():
        data = form.cleaned_data
        try:
            planned = picks_plan(
                cycle=cycle,
                audit_type=data["audit_type"],
                tool_version=data["tool_version"],
                planned_month=form.planned_month_date(),
                auditor=form.chosen_auditor(),
                theme=data["theme"],
                by=request.user,  # type: ignore[arg-type]
            )
        except SamplingRefused as exc:
            _refusal_to_form(form, exc)
        else:
            note = f"{len(planned.audits)} audit{'s' if len(planned.audits) != 1 else ''} planned."
            if planned.unassigned:
                note += f" {len(planned.unassigned)} could not be assigned: see why below."
            messages.success(request, note)
            return redirect("sampling:draw_detail", public_id=planned.draw.public_id)
    return _choose_page(request, cycle, plan_form=form)


def _month_plan_page(
    request: HttpRequest, cycle: Cycle, form: MonthPlanForm | None = None
) -> HttpResponse:
    quotas = team_quotas(cycle)
    planned = months_planned(cycle)
    form = form or MonthPlanForm(cycle=cycle, audit_types=list(quotas))
    return render(
        request,
        "sampling/month_plan.html",
        {
            "cycle": cycle,
            "form": form,
            "quotas": quotas.items(),
            "has_quotas": bool(quotas),
            "months": [(m, planned.get(m)) for m in cycle_months(cycle)],
            "pool_size": cycle.auditors.filter(is_active=True).count(),
        },
    )


@roles_required(*PLANNERS)
def month_plan_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """ "Plan this month": each team's share of the per-team quotas, drawn and shared out."""
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    if request.method != "POST":
        return _month_plan_page(request, cycle)
    form = MonthPlanForm(request.POST, cycle=cycle, audit_types=list(team_quotas(cycle)))
    if form.is_valid():
        try:
            result = month_plan(
                cycle=cycle,
                month=form.planned_month_date(),
                tools=form.tools(),
                seed=form.cleaned_data["seed"],
                theme=form.cleaned_data.get("theme") or "",
                by=request.user,  # type: ignore[arg-type]
            )
        except SamplingRefused as exc:
            _refusal_to_form(form, exc)
        else:
            note = f"{result.month:%B %Y} planned: {result.audits} audits created."
            if result.unassigned:
                note += f" {result.unassigned} cases could not be assigned: see why below."
            messages.success(request, note)
            return redirect(
                "sampling:month_detail",
                public_id=cycle.public_id,
                year=result.month.year,
                month=result.month.month,
            )
    return _month_plan_page(request, cycle, form)


@roles_required(*PLANNERS)
def month_detail(request: HttpRequest, public_id: UUID, year: int, month: int) -> HttpResponse:
    """What "Plan this month" drew and assigned for one month, team by team."""
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    try:
        day = datetime.date(year, month, 1)
    except ValueError as exc:
        raise Http404("No such month.") from exc
    if day not in cycle_months(cycle):
        raise Http404("That month is not in the cycle.")
    draws = month_plan_draws(cycle, day)
    # Cases nobody could take are named on the page: a read of each.
    access_shown(
        user=request.user,
        targets=[row.case for d in draws for row in getattr(d, "unassigned_rows", [])],
        purpose=Purpose.MONTH_PLAN,
    )
    return render(
        request,
        "sampling/month_detail.html",
        {
            "cycle": cycle,
            "month": day,
            "draws": draws,
            "audits": sum(getattr(d, "audits", 0) for d in draws),
            "unassigned": sum(len(getattr(d, "unassigned_rows", [])) for d in draws),
        },
    )
