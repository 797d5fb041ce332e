from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from auditloop.core.access import any_staff


@any_staff
def action_list(request: HttpRequest) -> HttpResponse:
    return render(request, "audits/action_list.html")


urlpatterns = [path("actions/", action_list, name="actions")]
