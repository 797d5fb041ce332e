"""What the administration pages share: who may open them, the one form layout, a person's
name for the logs; and the administration home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from auditloop.accounts.access import (
    roles_required,
)
from auditloop.accounts.models import (
    Role,
    User,
)

administrators_only = roles_required(Role.ADMINISTRATOR)
approvers_only = roles_required(Role.ADMINISTRATOR, Role.SENIOR_LEADER)


def posted_data(request: HttpRequest) -> QueryDict | None:
    """The submitted data, even when empty (a confirm button sends nothing but the token)."""
    return request.POST if request.method == "POST" else None


def form_page(request: HttpRequest, form: Any, **context: Any) -> HttpResponse:
    """The one layout every administration form shares: heading, error summary, fields."""
    return render(request, "accounts/form_page.html", {"form": form, **context})


def who_label(user: User | None) -> str:
    if user is None:
        return "The system"
    staff = getattr(user, "staff", None)
    return f"{staff.name} ({user.username})" if staff is not None else user.username


@administrators_only
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/admin_home.html")
