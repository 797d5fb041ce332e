"""Pages for planning a cycle, drawing samples, explaining a draw and the cycle overview."""

from __future__ import annotations

import dataclasses
from uuid import UUID

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from auditloop.accounts.access import roles_required, staff_for
from auditloop.accounts.models import Role, Service
from auditloop.accounts.selectors import services_overseen
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.sampling.access import get_cycle_for_user, get_draw_for_user
from auditloop.sampling.draws import draw_preview, draw_rerun
from auditloop.sampling.forms import AuditorsForm, CycleEditForm, CycleForm, DrawForm, QuotaForm
from auditloop.sampling.models import Cycle, DrawMethod, Quota
from auditloop.sampling.selectors import (
    DONE_STATUSES,
    auditors_available,
    cycle_can_plan,
    cycle_overview,
    cycles_visible_to,
    draw_chosen_rows,
    overview_service_ids,
)
from auditloop.sampling.services import (
    SamplingRefused,
    cycle_auditors_set,
    cycle_create,
    cycle_update,
    draw_save,
    quota_add,
    quota_remove,
)

# Planning audits is the audit lead's (the README's roles table): it shows children's cases and
# their audits, which an administrator, holding configuration only, does not see.
PLANNERS = (Role.MODERATOR,)
READERS = (Role.MODERATOR, Role.SENIOR_LEADER)


def _refusal_to_form(form: object, exc: SamplingRefused) -> None:
    fields = getattr(form, "fields", {})
    form.add_error(exc.field if exc.field in fields else None, exc.message)  # type: ignore[attr-defined]


@roles_required(*READERS)
def cycle_list(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.user)
    cycles = (
        cycles_visible_to(staff)
        .prefetch_related(Prefetch("services", queryset=Service.objects.order_by("name")))
        .annotate(
            planned=Count("cycle_audits", distinct=True),
            done=Count(
                "cycle_audits",
                filter=Q(cycle_audits__audit__status__in=DONE_STATUSES),
                distinct=True,
            ),
        )
        .order_by("-starts_on", "name")
    )
    return render(
        request,
        "sampling/cycle_list.html",
        {"cycles": cycles, "can_plan": staff.role in PLANNERS},
    )


@roles_required(*PLANNERS)
def cycle_create_view(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.user)
    services = Service.objects.filter(pk__in=services_overseen(staff))
    form = CycleForm(request.POST or None, services=services, auditors=auditors_available(staff))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = cycle_create(
                name=data["name"],
                services=list(data["services"]),
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                tools=list(data["tools"]),
                audit_types=data["audit_types"],
                auditors=list(data["auditors"]),
                due_extension_days=data["due_extension_days"],
                by=request.user,  # type: ignore[arg-type]
            )
        except SamplingRefused as exc:
            _refusal_to_form(form, exc)
        else:
            messages.success(request, f"Cycle {cycle.name} planned.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return render(request, "sampling/cycle_form.html", {"form": form})


def _cycle_detail_page(
    request: HttpRequest,
    cycle: Cycle,
    *,
    quota_form: QuotaForm | None = None,
    auditors_form: AuditorsForm | None = None,
) -> HttpResponse:
    staff = staff_for(request.user)
    can_plan = cycle_can_plan(staff, cycle)
    pool = list(cycle.auditors.select_related("team").order_by("name"))
    if can_plan:
        quota_form = quota_form or QuotaForm(cycle=cycle)
        auditors_form = auditors_form or AuditorsForm(
            initial={"auditors": [a.pk for a in pool]}, auditors=auditors_available(staff)
        )
    draws = (
        cycle.draws.filter(is_draft=False)
        .select_related("tool_version__tool", "created_by", "quota_team")
        .annotate(audits=Count("cycle_audits"))
        .order_by("-created_at")
    )
    return render(
        request,
        "sampling/cycle_detail.html",
        {
            "cycle": cycle,
            "can_plan": can_plan,
            "services": cycle.services.order_by("name"),
            "tools": cycle.tools.select_related("tool"),
            "quotas": cycle.quotas.all(),
            "pool": pool,
            "draws": draws,
            "quota_form": quota_form,
            "auditors_form": auditors_form,
        },
    )


@roles_required(*PLANNERS)
def cycle_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id)
    return _cycle_detail_page(request, cycle)


@require_POST
@roles_required(*PLANNERS)
def quota_add_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    form = QuotaForm(request.POST, cycle=cycle)
    if form.is_valid():
        data = form.cleaned_data
        try:
            quota_add(
                cycle=cycle,
                kind=data["kind"],
                audit_type=data["audit_type"],
                per_month=data["per_month"],
                role=data.get("role") or "",
                by=request.user,  # type: ignore[arg-type]
            )
        except SamplingRefused as exc:
            _refusal_to_form(form, exc)
        else:
            messages.success(request, "Quota added.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return _cycle_detail_page(request, cycle, quota_form=form)


@require_POST
@roles_required(*PLANNERS)
def quota_remove_view(request: HttpRequest, public_id: UUID, quota_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    quota = get_object_or_404(Quota, cycle=cycle, public_id=quota_id)
    quota_remove(quota=quota, by=request.user)  # type: ignore[arg-type]
    messages.success(request, "Quota removed.")
    return redirect("sampling:cycle_detail", public_id=cycle.public_id)


@require_POST
@roles_required(*PLANNERS)
def cycle_auditors_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    staff = staff_for(request.user)
    form = AuditorsForm(request.POST, auditors=auditors_available(staff))
    if form.is_valid():
        try:
            cycle_auditors_set(
                cycle=cycle,
                auditors=list(form.cleaned_data["auditors"]),
                by=request.user,  # type: ignore[arg-type]
            )
        except SamplingRefused as exc:
            _refusal_to_form(form, exc)
        else:
            messages.success(request, "Auditors updated.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return _cycle_detail_page(request, cycle, auditors_form=form)


@roles_required(*PLANNERS)
def draw_create_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Filters, size and seed; "Preview" shows the population and margin of error without
    storing anything, "Save" stores the draw (and, if asked, creates the audits)."""
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    form = DrawForm(request.POST or None, cycle=cycle)
    preview = None
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        if not spec.service_ids:
            spec = dataclasses.replace(spec, service_ids=tuple(s.pk for s in cycle.services.all()))
        if request.POST.get("action") == "save":
            try:
                saved = draw_save(
                    spec=spec,
                    by=request.user,  # type: ignore[arg-type]
                    cycle=cycle,
                    audit_type=form.cleaned_data["audit_type"],
                    tool_version=form.cleaned_data["tool_version"],
                    planned_month=form.planned_month_date(),
                    create_audits=form.cleaned_data["create_audits"],
                    theme=form.cleaned_data["theme"],
                )
            except SamplingRefused as exc:
                _refusal_to_form(form, exc)
            else:
                note = f"Sample of {saved.result.size} cases drawn."
                if form.cleaned_data["create_audits"]:
                    note += f" {len(saved.audits)} audits created"
                    note += f", {len(saved.unassigned)} unassigned." if saved.unassigned else "."
                messages.success(request, note)
                return redirect("sampling:draw_detail", public_id=saved.draw.public_id)
        else:
            pool = list(cycle.auditors.filter(is_active=True))
            preview = draw_preview(spec, auditors=pool)
    return render(
        request, "sampling/draw_form.html", {"cycle": cycle, "form": form, "preview": preview}
    )


@roles_required(*PLANNERS)
def cycle_edit_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Name, dates, audit tools and types; what is already drawn and planned stays."""
    cycle = get_cycle_for_user(request.user, public_id, write=True)
    initial = {
        "name": cycle.name,
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
        "tools": list(cycle.tools.values_list("pk", flat=True)),
        "audit_types": cycle.audit_types,
    }
    form = CycleEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle_update(
                cycle=cycle,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                tools=list(data["tools"]),
                audit_types=data["audit_types"],
                by=request.user,  # type: ignore[arg-type]
            )
        except SamplingRefused as exc:
            _refusal_to_form(form, exc)
        else:
            messages.success(request, f"Cycle {cycle.name} saved.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return render(request, "sampling/cycle_edit.html", {"cycle": cycle, "form": form})


@roles_required(*PLANNERS)
def draw_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Why each case was chosen: the filters, the population, exclusions, strata, draw order."""
    draw = get_draw_for_user(request.user, public_id)
    chosen = list(draw_chosen_rows(draw))
    access_shown(
        user=request.user, targets=[row.case for row in chosen], purpose=Purpose.SAMPLE_DRAW
    )
    is_drawn = draw.method == DrawMethod.DRAWN
    rerun = (
        draw_rerun(population=draw.population, strata=draw.strata, seed=draw.seed)
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


@roles_required(*READERS)
def cycle_overview_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.user, public_id)
    staff = staff_for(request.user)
    overview = cycle_overview(
        cycle, today=timezone.localdate(), service_ids=overview_service_ids(staff)
    )
    return render(
        request,
        "sampling/cycle_overview.html",
        {"cycle": cycle, "overview": overview, "can_plan": cycle_can_plan(staff, cycle)},
    )
