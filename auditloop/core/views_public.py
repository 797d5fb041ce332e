"""Pages anyone may read, signed in or not: the favicon."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static

from auditloop.core.access import public


@public
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says: send them to the static file."""
    return HttpResponseRedirect(static("auditloop/favicon.ico"))
