"""Pages anyone may read, signed in or not: the accessibility statement, and the favicon."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static

from auditloop.core.access import public

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
