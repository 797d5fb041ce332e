"""Access decisions that need no app: every view carries one, and the URL walk test fails for
any view without.

The decisions about members of staff (any staff, roles) are `auditloop.accounts.access`'s;
object checks live in each app's `access.py` get-for-user helpers, which answer 404 for
objects the user may not see (exactly as for missing ones) and 403 for objects they may see
but not change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

type ViewFunc = Callable[..., HttpResponseBase]


def mark_decision[V: ViewFunc](view: V, decision: str) -> V:
    """Record the access decision on a view that makes it itself (the API, Django's auth views)."""
    view.access_decision = decision  # type: ignore[attr-defined]
    return view


def public[V: ViewFunc](view: V) -> V:
    """Anyone, signed in or not (the login page, static health checks)."""
    return mark_decision(view, "public")


def signed_in[V: ViewFunc](view: V) -> V:
    """Any signed-in login, whether or not it is a member of staff: for what belongs to the
    login itself (its notifications). A signed-out visitor is sent to sign in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return mark_decision(wrapped, "signed in")  # type: ignore[return-value]
