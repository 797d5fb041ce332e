"""Pages for drawing a sample within a cycle and for explaining a stored draw."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.sampling.access import PLANNERS, get_cycle_for_user, get_draw_for_user
from auditloop.sampling.forms.draws import DrawForm
from auditloop.sampling.models import DrawMethod
from auditloop.sampling.rules.draws import draw_rerun
from auditloop.sampling.selectors.cycles import cycle_pool
from auditloop.sampling.selectors.draws import draw_chosen_rows, draw_population, draw_preview
from auditloop.sampling.services.draws import DrawPlan, draw_save, spec_in_cycle


@roles_required(*PLANNERS)
def draw_create_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Filters, size and seed; "Preview" shows the population and margin of error without
    storing anything, "Save" stores the draw (and, if asked, creates the audits)."""
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    form = DrawForm(request.POST or None, cycle=cycle)
    preview = None
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        if request.POST.get("action") != "save":
            try:
                preview = draw_preview(spec_in_cycle(cycle, spec), auditors=cycle_pool(cycle))
            except Refused as refused:
                refusal_to_form(form, refused)
        else:
            data = form.cleaned_data
            plan = DrawPlan(
                cycle=cycle,
                audit_type=data["audit_type"],
                tool_version=data["tool_version"],
                planned_month=form.planned_month_date(),
                create_audits=data["create_audits"],
                theme=data["theme"],
            )
            try:
                saved = draw_save(spec=spec, plan=plan, by=request.staff)
            except Refused as refused:
                refusal_to_form(form, refused)
            else:
                note = f"Sample of {saved.result.size} cases drawn."
                if plan.create_audits:
                    note += f" {len(saved.audits)} audits created"
                    note += f", {len(saved.unassigned)} unassigned." if saved.unassigned else "."
                messages.success(request, note)
                return redirect("sampling:draw_detail", public_id=saved.draw.public_id)
    return render(
        request, "sampling/draw_form.html", {"cycle": cycle, "form": form, "preview": preview}
    )


@roles_required(*PLANNERS)
def draw_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Why each case was chosen: the filters, the population, exclusions, strata, draw order."""
    draw = get_draw_for_user(request.staff, public_id)
    chosen = list(draw_chosen_rows(draw))
    access_shown(
        user=request.user, targets=[row.case for row in chosen], purpose=Purpose.SAMPLE_DRAW
    )
    is_drawn = draw.method == DrawMethod.DRAWN
    rerun = (
        draw_rerun(
            population=draw_population(
                draw, strata=[s["key"] for s in draw.strata if int(s["allocated"]) > 0]
            ),
            strata=draw.strata,
            seed=draw.seed,
        )
        if is_drawn
        else []
    )
    excluded = sum(len(ids) for ids in draw.exclusions.values())
    return render(
        request,
        "sampling/draw_detail.html",
        {
            "draw": draw,
            "chosen": chosen,
            "exclusions": sorted((r, len(ids)) for r, ids in draw.exclusions.items()),
            "excluded": excluded,
            "matched": draw.population_size + excluded,
            "is_drawn": is_drawn,
            "rerun_matches": rerun == [c.case_id for c in chosen],
            "margin_percent": None
            if draw.margin_of_error is None
            else round(draw.margin_of_error * 100, 1),
            "confidence_percent": round(draw.confidence * 100),
        },
    )
