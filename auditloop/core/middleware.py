from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from auditloop.core.signin import RENEWED_AT, SIGNED_IN_AT


class NoStoreMiddleware:
    """Pages about children must not sit in a shared or browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


class SessionLifetimeMiddleware:
    """A session ends `AUDITLOOP_SESSION_MAX_SECONDS` after signing in, however busy its user
    (a session without its sign-in time, from before this rule, ends now); the person is
    signed out and the page sends them to sign in again. Otherwise a request renews the idle
    expiry, but at most every `AUDITLOOP_SESSION_RENEW_SECONDS`, so that most pages write
    nothing and keep working while another process holds the database's write lock."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            signed_in = session.get(SIGNED_IN_AT)
            if (
                not isinstance(signed_in, int | float)
                or now - signed_in >= settings.AUDITLOOP_SESSION_MAX_SECONDS
            ):
                logout(request)
                hours = settings.AUDITLOOP_SESSION_MAX_SECONDS / 3600
                messages.info(
                    request,
                    f"You have been signed out because you signed in more than "
                    f"{hours:g} {'hour' if hours == 1 else 'hours'} ago. Sign in again to "
                    "carry on.",
                )
            elif now - session.get(RENEWED_AT, 0) >= settings.AUDITLOOP_SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now
        return self.get_response(request)
