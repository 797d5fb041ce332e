""" "Plan this month" from the per-team quotas, and what it drew and assigned for a month."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.sampling.access import PLANNERS, get_cycle_for_user
from auditloop.sampling.forms.months import MonthPlanForm
from auditloop.sampling.models import Cycle
from auditloop.sampling.rules.months import cycle_months, month_name
from auditloop.sampling.selectors.months import month_plan_draws, months_planned, team_quotas
from auditloop.sampling.services.months import month_plan


def _month_plan_page(
    request: StaffRequest, cycle: Cycle, form: MonthPlanForm | None = None
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
def month_plan_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """ "Plan this month": each team's share of the per-team quotas, drawn and shared out."""
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
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
                by=request.staff,
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            note = f"{month_name(result.month)} planned: {result.audits} audits created."
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
def month_detail(request: StaffRequest, public_id: UUID, year: int, month: int) -> HttpResponse:
    """What "Plan this month" drew and assigned for one month, team by team."""
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
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
