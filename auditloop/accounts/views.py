from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from auditloop.accounts.models import Role
from auditloop.core.access import roles_required


@roles_required(Role.ADMINISTRATOR)
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/admin_home.html")
