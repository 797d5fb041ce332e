"""Pages for choosing cases by hand for deep dives and thematic audits: find a case, add it to
the cycle's pick list with the reason, take it off, and plan the list's audits."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.cases.models import ChildCase
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.sampling.access import PLANNERS, get_cycle_for_user
from auditloop.sampling.forms.picks import FindCaseForm, PickAddForm, PicksPlanForm
from auditloop.sampling.models import Cycle
from auditloop.sampling.selectors.cycles import cycle_pool
from auditloop.sampling.selectors.picks import (
    CASE_NOT_FOUND,
    cycle_case,
    cycle_case_by_child_id,
    holding,
    independent_of,
    pick_list_of,
    pick_list_rows,
    pick_on_list,
)
from auditloop.sampling.services.picks import CHOSEN_TYPES, pick_add, pick_remove, picks_plan


def _choose_page(
    request: StaffRequest,
    cycle: Cycle,
    *,
    find_form: FindCaseForm | None = None,
    found: ChildCase | None = None,
    add_form: PickAddForm | None = None,
    plan_form: PicksPlanForm | None = None,
) -> HttpResponse:
    """The pick list page: find a case, add it with a reason, then plan the audits."""
    rows = pick_list_rows(pick_list_of(cycle))
    pool = cycle_pool(cycle)
    cases = [r.case for r in rows]
    if plan_form is None:
        plan_form = PicksPlanForm(cycle=cycle, independent=independent_of(pool, cases))
    found_held = holding(pool, found) if found else []
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
def choose_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    return _choose_page(request, cycle)


@require_POST
@roles_required(*PLANNERS)
def choose_find_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Find a case by its LA child ID. A search, so a POST: the ID never goes in a URL."""
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    form = FindCaseForm(request.POST)
    found = None
    if form.is_valid():
        found = cycle_case_by_child_id(cycle, form.cleaned_data["la_child_id"])
        if found is None:
            form.add_error("la_child_id", CASE_NOT_FOUND)
        else:
            access_shown(user=request.user, targets=[found], purpose=Purpose.SEARCH)
    return _choose_page(request, cycle, find_form=form, found=found)


@require_POST
@roles_required(*PLANNERS)
def choose_add_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    form = PickAddForm(request.POST)
    found = cycle_case(cycle, request.POST.get("case", ""))
    if form.is_valid():
        if found is None:
            form.add_error(None, CASE_NOT_FOUND)
        else:
            try:
                pick_add(
                    cycle=cycle,
                    case=found,
                    reason=form.cleaned_data["reason"],
                    by=request.staff,
                )
            except Refused as refused:
                refusal_to_form(form, refused)
            else:
                messages.success(request, "Case added to the list.")
                return redirect("sampling:choose", public_id=cycle.public_id)
    return _choose_page(request, cycle, found=found, add_form=form)


@require_POST
@roles_required(*PLANNERS)
def choose_remove_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    row = pick_on_list(cycle, request.POST.get("case", ""))
    if row is None:
        raise Http404("That case is not on the list.")
    pick_remove(cycle=cycle, case=row.case, by=request.staff)
    messages.success(request, "Case taken off the list.")
    return redirect("sampling:choose", public_id=cycle.public_id)


@require_POST
@roles_required(*PLANNERS)
def choose_plan_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    rows = pick_list_rows(pick_list_of(cycle))
    independent = independent_of(cycle_pool(cycle), [r.case for r in rows])
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
                by=request.staff,
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            note = f"{len(planned.audits)} audit{'s' if len(planned.audits) != 1 else ''} planned."
            if planned.unassigned:
                note += f" {len(planned.unassigned)} could not be assigned: see why below."
            messages.success(request, note)
            return redirect("sampling:draw_detail", public_id=planned.draw.public_id)
    return _choose_page(request, cycle, plan_form=form)
