"""Get-for-user helpers for administration objects. The views are for administrators only
(their decorator decides); these answer 404 for an unknown id."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from auditloop.accounts.models import (
    ACCESS_APPROVER_ROLES,
    AccessRequest,
    Role,
    Service,
    StaffMember,
    Team,
)
from auditloop.core.access import staff_for


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


def get_access_request_for_user(user: Any, public_id: UUID) -> AccessRequest:
    """A request for a change of role, for those who may approve one: administrators and
    senior leaders (whether they may decide this one is the service's rule)."""
    if staff_for(user).role not in ACCESS_APPROVER_ROLES:
        raise PermissionDenied("Only administrators and senior leaders approve role changes.")
    return get_object_or_404(
        AccessRequest.objects.select_related(
            "staff__team__service", "team__service", "requested_by__staff", "decided_by__staff"
        ),
        public_id=public_id,
    )
