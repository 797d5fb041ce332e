from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from auditloop.accounts.models import Role
from auditloop.core.access import roles_required


@roles_required(Role.MODERATOR, Role.ADMINISTRATOR, Role.TEAM_MANAGER, Role.SENIOR_LEADER)
def case_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/case_list.html")
