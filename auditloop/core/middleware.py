from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from auditloop.core.accesslog import reads_collected


class NoStoreMiddleware:
    """Pages about children must not sit in a shared or browser cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
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
