"""Access decisions. Every view carries one: the URL walk test fails for any view without.

Role checks live here; object checks live in each app's `access.py` get-for-user helpers,
which answer 404 for objects the user may not see (exactly as for missing ones) and 403
for objects they may see but not change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from auditloop.accounts.models import AUDITING_ROLES, Role, User

if TYPE_CHECKING:
    from auditloop.accounts.models import StaffMember

type ViewFunc = Callable[..., HttpResponseBase]


def staff_for(user: Any) -> StaffMember:
    """The signed-in user's staff member record; PermissionDenied for a login without one."""
    from auditloop.accounts.models import StaffMember

    staff = getattr(user, "staff", None) if user.is_authenticated else None
    if not isinstance(staff, StaffMember) or not staff.is_active:
        raise PermissionDenied("This login is not linked to an active member of staff.")
    return staff


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, typed for the services. The access decorators have already turned
    away anonymous visitors, so anything else is a bug."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def mark_decision[V: ViewFunc](view: V, decision: str) -> V:
    """Record the access decision on a view that makes it itself (the API, Django's auth views)."""
    view.access_decision = decision  # type: ignore[attr-defined]
    return view


def public[V: ViewFunc](view: V) -> V:
    """Anyone, signed in or not (the login page, static health checks)."""
    return mark_decision(view, "public")


def _guard(roles: frozenset[str] | None, decision: str) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = staff_for(request.user)
            if roles is not None and staff.role not in roles:
                raise PermissionDenied("Your role does not give you access to this page.")
            return view(request, *args, **kwargs)

        return mark_decision(wrapped, decision)

    return decorator


def any_staff[V: ViewFunc](view: V) -> V:
    """Any signed-in member of staff; the object's get-for-user helper makes the decision."""
    return _guard(None, "any staff; object helper decides")(view)  # type: ignore[return-value]


def roles_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """Only staff whose role is one of `roles`."""
    return _guard(frozenset(roles), "roles: " + ", ".join(sorted(roles)))


def auditing_roles_required[V: ViewFunc](view: V) -> V:
    return _guard(AUDITING_ROLES, "roles: auditing")(view)  # type: ignore[return-value]
