"""The council's organisation: its services and their teams."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from auditloop.accounts import selectors
from auditloop.accounts.access import (
    StaffRequest,
    get_service_for_user,
    get_team_for_user,
)
from auditloop.accounts.forms import (
    ServiceForm,
    TeamForm,
)
from auditloop.accounts.models import (
    Service,
)
from auditloop.accounts.services import organisation as services
from auditloop.accounts.views.common import (
    administrators_only,
    form_page,
    posted_data,
)


@administrators_only
def service_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/service_list.html", {"services": selectors.services_with_counts()}
    )


@administrators_only
def service_create(request: StaffRequest) -> HttpResponse:
    form = ServiceForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Service {service.name} added.")
            return redirect("accounts:service_list")
    return form_page(
        request,
        form,
        title="Add a service",
        button="Add service",
        back=reverse("accounts:service_list"),
    )


@administrators_only
def service_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    service = get_service_for_user(request.user, public_id)
    initial = {"name": service.name, "head_of_service": service.head_of_service}
    form = ServiceForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(service=service, by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Service {service.name} saved.")
            return redirect("accounts:service_list")
    return form_page(
        request,
        form,
        title=f"Change {service.name}",
        caption="Service",
        button="Save",
        back=reverse("accounts:service_list"),
    )


# Teams ------------------------------------------------------------------------------------


@administrators_only
def team_list(request: HttpRequest) -> HttpResponse:
    all_services = list(Service.objects.all())
    chosen = next((s for s in all_services if str(s.public_id) == request.GET.get("service")), None)
    return render(
        request,
        "accounts/team_list.html",
        {
            "teams": selectors.teams_with_counts(service=chosen),
            "services": all_services,
            "chosen": chosen,
        },
    )


@administrators_only
def team_create(request: StaffRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if "service" in request.GET:
        initial["service"] = Service.objects.filter(
            public_id__iexact=request.GET["service"]
        ).first()
    form = TeamForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Team {team.name} added to {team.service.name}.")
            return redirect("accounts:team_list")
    return form_page(
        request, form, title="Add a team", button="Add team", back=reverse("accounts:team_list")
    )


@administrators_only
def team_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    team = get_team_for_user(request.user, public_id)
    form = TeamForm(posted_data(request), initial={"name": team.name, "service": team.service})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(team=team, by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Team {team.name} saved.")
            return redirect("accounts:team_list")
    return form_page(
        request,
        form,
        title=f"Change {team.name}",
        caption="Team",
        hint="Moving a team to another service moves its staff and cases with it.",
        button="Save",
        back=reverse("accounts:team_list"),
    )
