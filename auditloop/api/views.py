from __future__ import annotations

import contextlib
from uuid import UUID

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from auditloop.accounts.access import any_staff
from auditloop.api.api import MAX_LIMIT, MAX_OFFSET, api
from auditloop.api.documentation import documentation_from_schema
from auditloop.api.models import ApiToken
from auditloop.api.services import ApiTokenRefused, api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the token",
        max_length=100,
        help_text="Say what will use it, for example 'Power BI performance report'.",
    )


@any_staff
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ApiTokenRefused as exc:
            form.add_error("name", str(exc))
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)  # type: ignore[misc]
    return render(
        request, "api/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@require_POST
@any_staff
def token_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, public_id=public_id).first()  # type: ignore[misc]
    if token is None:
        raise Http404("No token found.")
    # Revoking twice (a double click) leaves it revoked; nothing to tell the user.
    with contextlib.suppress(ApiTokenRefused):
        api_token_revoke(token=token, by=request.user)
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
        },
    )
