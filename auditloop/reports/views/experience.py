"""What practitioners said they will do differently because of an audit: for audit leads, with
no name, audit or date on it, only once enough people have answered (see `experience_said`)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.reports.access.scopes import dashboard_cycles, dashboard_scope
from auditloop.reports.forms.dashboards import DashboardCycleForm
from auditloop.reports.selectors.figures.experience import experience_said


@roles_required(Role.MODERATOR)
def experience_said_view(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = DashboardCycleForm(
        request.GET if "cycle" in request.GET else None,
        cycles=list(dashboard_cycles(staff)),
        today=timezone.localdate(),
    )
    cycle = form.chosen()
    scope = dashboard_scope(staff, cycle) if cycle is not None else None
    answered, said = experience_said(scope) if scope is not None else (0, None)
    return render(
        request,
        "reports/experience_said.html",
        {
            "form": form,
            "cycle": cycle,
            "answered": answered,
            "said": said,
            "threshold": settings.AUDITLOOP_SMALL_GROUP_MIN,
        },
    )


urlpatterns = [
    path("dashboard/experience/", experience_said_view, name="experience_said"),
]
