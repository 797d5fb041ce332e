from __future__ import annotations

import contextlib
from uuid import UUID

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.api.access import (
    PARTNER_REFUSAL,
    can_hold_api_token,
    get_api_token_for_user,
)
from auditloop.api.api import MAX_LIMIT, MAX_OFFSET, api
from auditloop.api.documentation import documentation_from_schema
from auditloop.api.selectors import api_tokens_of
from auditloop.api.services import api_token_create, api_token_revoke
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.learning.selectors.team_picture import small_group_min


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the token",
        max_length=100,
        help_text="Say what will use it, for example 'Power BI performance report'.",
    )


@any_staff
def token_list(request: StaffRequest) -> HttpResponse:
    if not can_hold_api_token(request.staff):
        return render(request, "api/token_refused.html", {"reason": PARTNER_REFUSAL}, status=403)
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = api_token_create(by=request.staff, name=form.cleaned_data["name"])
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            form = TokenForm()
    tokens = api_tokens_of(request.staff)
    return render(
        request, "api/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@require_POST
@any_staff
def token_revoke(request: StaffRequest, public_id: UUID) -> HttpResponse:
    token = get_api_token_for_user(request.staff, public_id)
    # Revoking twice (a double click) leaves it revoked; nothing to tell the user.
    with contextlib.suppress(Refused):
        api_token_revoke(token=token, by=request.staff)
    return redirect("api_tokens:list")


@any_staff
def api_documentation(request: HttpRequest) -> HttpResponse:
    """The API's endpoints and answers, read from the OpenAPI schema it serves."""
    return render(
        request,
        "api/documentation.html",
        {
            "docs": documentation_from_schema(api.get_openapi_schema()),
            "max_limit": MAX_LIMIT,
            "max_offset": f"{MAX_OFFSET:,}",
            "api_root": reverse("api:api-root"),
            "threshold": small_group_min(),
        },
    )
