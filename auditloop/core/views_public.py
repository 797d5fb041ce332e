"""Pages anyone may read, signed in or not: the accessibility statement, the favicon, and the
health endpoint."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache

from auditloop.core.access import public
from auditloop.core.selectors import tasks_wait_for_a_worker, worker_last_seen, workers_alive

# When the statement was written and when its list of problems was last checked against the
# service: change these whenever the list changes.
STATEMENT_PREPARED = datetime.date(2026, 11, 30)
STATEMENT_REVIEWED = datetime.date(2026, 11, 30)


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the public sector accessibility regulations require."""
    return render(
        request,
        "core/accessibility.html",
        {
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "prepared": STATEMENT_PREPARED,
            "reviewed": STATEMENT_REVIEWED,
        },
    )


@public
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says: send them to the static file."""
    return HttpResponseRedirect(static("auditloop/favicon.ico"))


@public
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer and monitoring: whether this web server reaches its database, and
    whether a background worker is alive. No sign-in, and nothing about anyone.

    503 when the database cannot be reached (take this server out of the pool); 200 otherwise,
    with "degraded" when background work waits for a worker none is running (monitoring
    should alert: imports queue but never start), since every web server would say the same
    and taking them all out would help nobody.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    if tasks_wait_for_a_worker():
        alive = workers_alive()
        last = worker_last_seen()
        body["workers"] = {
            "alive": len(alive),
            "last_heartbeat_seconds_ago": (
                round((timezone.now() - last.seen).total_seconds(), 1) if last else None
            ),
            "stale_after_seconds": settings.AUDITLOOP_WORKER_STALE_SECONDS,
        }
        if not alive:
            body["status"] = "degraded"
    else:
        body["workers"] = {"needed": False}
    return JsonResponse(body)
