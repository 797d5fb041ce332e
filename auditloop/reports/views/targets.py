"""The targets the council sets for its grades: read by audit leads and senior leaders, set,
changed and removed by those who oversee where the target applies."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.selectors import oversees_every_service, services_overseen
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message
from auditloop.reports.access.targets import (
    TARGET_ROLES,
    get_target_for_user,
    services_for_targets,
)
from auditloop.reports.forms.targets import TargetChangeForm, TargetForm
from auditloop.reports.rules.targets import target_words
from auditloop.reports.selectors.targets import targets_all
from auditloop.reports.services.targets import target_remove, target_set


@roles_required(*TARGET_ROLES)
def target_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    every = oversees_every_service(staff)
    overseen = set(services_overseen(staff))
    targets = [
        (
            target,
            target_words(target.measure, target.percent),
            every if target.service_id is None else target.service_id in overseen,
        )
        for target in targets_all()
    ]
    return render(
        request,
        "reports/targets/list.html",
        {"targets": targets, "may_set_any": every or bool(overseen), "council_wide": every},
    )


@roles_required(*TARGET_ROLES)
@require_http_methods(["GET", "POST"])
def target_create(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = TargetForm(
        request.POST or None,
        services=services_for_targets(staff),
        council_wide=oversees_every_service(staff),
    )
    if not form.fields["where"].choices:  # type: ignore[attr-defined]
        refusal_to_message(request, Refused("You oversee no service, so you set no target."))
        return redirect("reports:targets")
    if request.method == "POST" and form.is_valid():
        try:
            target = target_set(
                measure=form.cleaned_data["measure"],
                percent=form.cleaned_data["percent"],
                service=form.chosen_service(),
                by=staff,
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            words = target_words(target.measure, target.percent)
            messages.success(request, f"Target set: {words}.")
            return redirect("reports:targets")
    return render(request, "reports/targets/form.html", {"form": form})


@roles_required(*TARGET_ROLES)
@require_http_methods(["GET", "POST"])
def target_change(request: StaffRequest, public_id: UUID) -> HttpResponse:
    target = get_target_for_user(request.user, public_id, write=True)
    form = TargetChangeForm(request.POST or None, initial={"percent": target.percent})
    if request.method == "POST" and form.is_valid():
        try:
            target = target_set(
                measure=target.measure,
                percent=form.cleaned_data["percent"],
                service=target.service,
                by=request.staff,
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(
                request, f"Target changed: {target_words(target.measure, target.percent)}."
            )
            return redirect("reports:targets")
    return render(
        request,
        "reports/targets/change.html",
        {"form": form, "target": target, "words": target_words(target.measure, target.percent)},
    )


@roles_required(*TARGET_ROLES)
@require_http_methods(["GET", "POST"])
def target_remove_page(request: StaffRequest, public_id: UUID) -> HttpResponse:
    target = get_target_for_user(request.user, public_id, write=True)
    if request.method == "POST":
        try:
            target_remove(target=target, by=request.staff)
        except Refused as refused:
            refusal_to_message(request, refused)
        else:
            messages.success(
                request, f"Target removed: {target_words(target.measure, target.percent)}."
            )
        return redirect("reports:targets")
    return render(
        request,
        "reports/targets/remove.html",
        {"target": target, "words": target_words(target.measure, target.percent)},
    )


urlpatterns = [
    path("targets/", target_list, name="targets"),
    path("targets/new/", target_create, name="target_create"),
    path("targets/<uuid:public_id>/change/", target_change, name="target_change"),
    path("targets/<uuid:public_id>/remove/", target_remove_page, name="target_remove"),
]
