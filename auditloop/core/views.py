from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from auditloop.core.access import any_staff, staff_for


@any_staff
def home(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.user)
    return render(request, "core/home.html", {"staff": staff})


@any_staff
def notifications(request: HttpRequest) -> HttpResponse:
    items = request.user.notifications.all()[:100]  # type: ignore[union-attr]
    return render(request, "core/notifications.html", {"items": items})
