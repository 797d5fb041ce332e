"""Pages for planning a cycle: the list, a new cycle, its page (pool of auditors and quotas),
changing it, and its overview of planned against done."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Service
from auditloop.accounts.selectors import services_overseen
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.core.versions import RecordChanged, form_version_renew
from auditloop.sampling.access import (
    PLANNERS,
    READERS,
    can_plan,
    can_plan_cycles,
    get_cycle_for_user,
)
from auditloop.sampling.forms.cycles import AuditorsForm, CycleEditForm, CycleForm, QuotaForm
from auditloop.sampling.models import Cycle, Quota
from auditloop.sampling.selectors.cycles import (
    auditors_available,
    cycle_draws,
    cycle_overview,
    cycles_listed,
    overview_service_ids,
)
from auditloop.sampling.services.cycles import (
    cycle_auditors_set,
    cycle_create,
    cycle_update,
    quota_add,
    quota_remove,
)


@roles_required(*READERS)
def cycle_list(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "sampling/cycle_list.html",
        {"cycles": cycles_listed(request.staff), "can_plan": can_plan_cycles(request.staff)},
    )


@roles_required(*PLANNERS)
def cycle_create_view(request: StaffRequest) -> HttpResponse:
    staff = request.staff
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
                by=staff,
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, f"Cycle {cycle.name} planned.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return render(request, "sampling/cycle_form.html", {"form": form})


def _cycle_detail_page(
    request: StaffRequest,
    cycle: Cycle,
    *,
    quota_form: QuotaForm | None = None,
    auditors_form: AuditorsForm | None = None,
) -> HttpResponse:
    staff = request.staff
    planner = can_plan(staff, cycle)
    pool = list(cycle.auditors.select_related("team").order_by("name"))
    if planner:
        quota_form = quota_form or QuotaForm(cycle=cycle)
        auditors_form = auditors_form or AuditorsForm(
            initial={"auditors": [a.pk for a in pool], "version": cycle.version},
            auditors=auditors_available(staff),
        )
    return render(
        request,
        "sampling/cycle_detail.html",
        {
            "cycle": cycle,
            "can_plan": planner,
            "services": cycle.services.order_by("name"),
            "tools": cycle.tools.select_related("tool"),
            "quotas": cycle.quotas.all(),
            "pool": pool,
            "draws": cycle_draws(cycle),
            "quota_form": quota_form,
            "auditors_form": auditors_form,
        },
    )


@roles_required(*PLANNERS)
def cycle_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id)
    return _cycle_detail_page(request, cycle)


@require_POST
@roles_required(*PLANNERS)
def quota_add_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
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
                by=request.staff,
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Quota added.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return _cycle_detail_page(request, cycle, quota_form=form)


@require_POST
@roles_required(*PLANNERS)
def quota_remove_view(request: StaffRequest, public_id: UUID, quota_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    quota = get_object_or_404(Quota, cycle=cycle, public_id=quota_id)
    quota_remove(quota=quota, by=request.staff)
    messages.success(request, "Quota removed.")
    return redirect("sampling:cycle_detail", public_id=cycle.public_id)


@require_POST
@roles_required(*PLANNERS)
def cycle_auditors_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    form = AuditorsForm(request.POST, auditors=auditors_available(request.staff))
    if form.is_valid():
        try:
            cycle_auditors_set(
                cycle=cycle,
                auditors=list(form.cleaned_data["auditors"]),
                by=request.staff,
                expected_version=form.cleaned_data["version"],
            )
        except RecordChanged as changed:
            form_version_renew(form, changed)
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Auditors updated.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return _cycle_detail_page(request, cycle, auditors_form=form)


@roles_required(*PLANNERS)
def cycle_edit_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Name, dates, audit tools and types, the share moderated at random and the weeks before
    a revisit; what is already drawn and planned stays."""
    cycle = get_cycle_for_user(request.staff, public_id, write=True)
    initial = {
        "name": cycle.name,
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
        "tools": list(cycle.tools.values_list("pk", flat=True)),
        "audit_types": cycle.audit_types,
        "moderation_percent": cycle.moderation_percent,
        "revisit_weeks": cycle.revisit_weeks,
        "late_to_manager_days": cycle.late_to_manager_days,
        "late_to_lead_days": cycle.late_to_lead_days,
        "version": cycle.version,
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
                moderation_percent=data["moderation_percent"],
                revisit_weeks=data["revisit_weeks"],
                late_to_manager_days=data["late_to_manager_days"],
                late_to_lead_days=data["late_to_lead_days"],
                by=request.staff,
                expected_version=data["version"],
            )
        except RecordChanged as changed:
            form_version_renew(form, changed)
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, f"Cycle {cycle.name} saved.")
            return redirect("sampling:cycle_detail", public_id=cycle.public_id)
    return render(request, "sampling/cycle_edit.html", {"cycle": cycle, "form": form})


@roles_required(*READERS)
def cycle_overview_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    cycle = get_cycle_for_user(staff, public_id)
    overview = cycle_overview(
        cycle, today=timezone.localdate(), service_ids=overview_service_ids(staff)
    )
    return render(
        request,
        "sampling/cycle_overview.html",
        {"cycle": cycle, "overview": overview, "can_plan": can_plan(staff, cycle)},
    )
