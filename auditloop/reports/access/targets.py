"""Who reads and who sets the targets the council sets for its grades.

Audit leads and senior leaders read every target (a target is the council's policy, not
anyone's figures). They set, change and remove a service's target when they oversee that
service, and a council-wide one only when they oversee every service of the council.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, Service, StaffMember
from auditloop.accounts.selectors import oversees_every_service, services_overseen
from auditloop.reports.models import Target

TARGET_ROLES = (Role.MODERATOR, Role.SENIOR_LEADER)

NOT_YOURS = (
    "Only an audit lead or senior leader overseeing every service sets a council-wide target, "
    "and only one overseeing a service sets that service's."
)


def may_set_target(staff: StaffMember, service: Service | None) -> bool:
    """Whether `staff` sets, changes and removes the target for `service` (None: the
    council-wide one)."""
    if staff.role not in TARGET_ROLES:
        return False
    if service is None:
        return oversees_every_service(staff)
    return service.pk in services_overseen(staff)


def services_for_targets(staff: StaffMember) -> list[Service]:
    """The services whose targets `staff` sets, by name."""
    if staff.role not in TARGET_ROLES:
        return []
    return list(Service.objects.filter(pk__in=services_overseen(staff)).order_by("name", "pk"))


def get_target_for_user(user: Any, public_id: UUID, *, write: bool = False) -> Target:
    """The target, for the roles that read targets (404 for anyone else, as for one that does
    not exist); with `write`, 403 unless they may change it."""
    staff = staff_for(user)
    if staff.role not in TARGET_ROLES:
        raise Http404("No target found.")
    try:
        target = Target.objects.select_related("service", "set_by").get(public_id=public_id)
    except Target.DoesNotExist as exc:
        raise Http404("No target found.") from exc
    if write and not may_set_target(staff, target.service):
        raise PermissionDenied(NOT_YOURS)
    return target
