"""Who the signed-in member of staff is, and the access decisions about them.

The decorators (`any_staff`, `roles_required`, `auditing_roles_required`) turn away a
signed-out visitor (to sign in) and a login that is not an active member of staff (403), then
put that `StaffMember` on the request: a view so decorated may annotate its request as
`StaffRequest` and read `request.staff`. The API's authentication does the same, through the
same `staff_for`. Below them, the get-for-user helpers for administration objects: the views
are for administrators only (their decorator decides); these answer 404 for an unknown id.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone

from auditloop.accounts.models import (
    ACCESS_APPROVER_ROLES,
    AUDITING_ROLES,
    AccessRequest,
    Role,
    Service,
    SignedInSession,
    StaffMember,
    Team,
    User,
)
from auditloop.accounts.rules.sessions import has_left
from auditloop.accounts.selectors import signed_in_sessions_live
from auditloop.core.access import ViewFunc, mark_decision


class StaffRequest(HttpRequest):
    """A request that a staff decorator (or the API's authentication) let through: its
    `staff` is the signed-in login's active member of staff."""

    staff: StaffMember


def staff_for(user: Any) -> StaffMember:
    """The signed-in user's active staff member record; PermissionDenied for anyone else (a
    signed-out visitor, a login without a staff record, a member of staff who has left,
    marked so or whose end date has come)."""
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    if (
        not isinstance(staff, StaffMember)
        or not staff.is_active
        or has_left(staff.end_date, timezone.localdate())
    ):
        raise PermissionDenied("This login is not linked to an active member of staff.")
    return staff


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, typed for the services. The access decorators have already turned
    away anonymous visitors, so anything else is a bug."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


def _guard(roles: frozenset[str] | None, decision: str) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            staff = staff_for(request.user)
            if roles is not None and staff.role not in roles:
                raise PermissionDenied("Your role does not give you access to this page.")
            cast(StaffRequest, request).staff = staff
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


def _require_administrator(user: Any) -> None:
    if staff_for(user).role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only administrators manage services, teams and staff.")


def get_service_for_user(user: Any, public_id: UUID) -> Service:
    _require_administrator(user)
    return get_object_or_404(Service.objects.select_related("head_of_service"), public_id=public_id)


def get_team_for_user(user: Any, public_id: UUID) -> Team:
    _require_administrator(user)
    return get_object_or_404(Team.objects.select_related("service"), public_id=public_id)


def get_staff_member_for_user(user: Any, public_id: UUID) -> StaffMember:
    _require_administrator(user)
    return get_object_or_404(
        StaffMember.objects.select_related("team__service", "manager", "user"),
        public_id=public_id,
    )


APPROVERS_ONLY = "Only an administrator or a senior leader approves role changes."


def can_approve_access_changes(staff: StaffMember) -> bool:
    """Who decides on a change of role, team or services that lets someone read more (whether
    they may decide a given request is `access_request_approve`'s rule)."""
    return staff.role in ACCESS_APPROVER_ROLES


def get_access_request_for_user(user: Any, public_id: UUID) -> AccessRequest:
    """A request for a change of role, for those who may approve one: administrators and
    senior leaders (whether they may decide this one is the service's rule)."""
    if not can_approve_access_changes(staff_for(user)):
        raise PermissionDenied(APPROVERS_ONLY)
    return get_object_or_404(
        AccessRequest.objects.select_related(
            "staff__team__service", "team__service", "requested_by__staff", "decided_by__staff"
        ),
        public_id=public_id,
    )


def get_signed_in_session_for_user(user: Any, public_id: UUID) -> SignedInSession:
    """One of the signed-in person's own live sessions; anyone else's answers 404, exactly as
    a missing or expired one."""
    staff = staff_for(user)
    found = (
        signed_in_sessions_live(staff.user_id, timezone.now()).filter(public_id=public_id).first()
    )
    if found is None:
        raise Http404("No such session.")
    return found
