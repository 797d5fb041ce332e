from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from auditloop.core.accesslog import reads_collected
from auditloop.core.events import refused_request_record


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
