"""Someone signed in with a one-time password chooses their own before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from auditloop.accounts.signin_state import BY_SSO, SIGNED_IN_BY


class PasswordChangeRequiredMiddleware:
    """Every request of a login whose password an administrator set goes to the change-password
    page, except that page itself, signing out and static files (and except when the person
    signed in through single sign-on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "password_change_required", False)
            # Someone who signed in through single sign-on uses no password here.
            and request.session.get(SIGNED_IN_BY) != BY_SSO
        ):
            allowed = {reverse("accounts:password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("accounts:password_change")
        return self.get_response(request)
