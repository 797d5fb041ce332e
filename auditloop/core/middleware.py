from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from auditloop.core.accesslog import reads_collected
from auditloop.core.events import refused_request_record
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


class RefusedRequestMiddleware:
    """Record every 403 and 404 a signed-in person gets from a page or the API: the access
    helpers answer 404 for what someone may not see, so a run of these is someone looking.
    Paths that match no route (a mistyped address) are not records and are not kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code in {403, 404}
            and getattr(request, "resolver_match", None) is not None
            and request.user.is_authenticated
        ):
            refused_request_record(
                user=request.user,
                method=request.method or "",
                path=request.path,
                status=response.status_code,
            )
        return response


class AccessLogMiddleware:
    """Writes the access log rows of everything the response showed (`access_shown`), once,
    after the page is rendered and before it is sent: one insert per request, and a write
    the database refuses goes to the spool instead of failing the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with reads_collected():
            return self.get_response(request)


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
