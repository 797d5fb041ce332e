"""The get-for-user helper for case files: 404 when the user may not see it (as for a missing
one), 403 when they may see it but not change it. Every read is logged."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.casefiles.selectors import case_visibility_filter
from auditloop.cases.models import ChildCase
from auditloop.cases.selectors import CASE_LIST_ROLES
from auditloop.core.accesslog import Purpose, access_shown


def can_list_cases(staff: StaffMember) -> bool:
    """Who has a case list; others reach a case file only through an audit of it."""
    return staff.role in CASE_LIST_ROLES


def can_change_cases(staff: StaffMember) -> bool:
    """Who adds, changes, closes and reopens case files."""
    return staff.role == Role.ADMINISTRATOR


def get_case_for_user(user: Any, public_id: UUID | str, *, write: bool = False) -> ChildCase:
    """The case file, if `user` may see it (logged as a read). With write=True, administrators
    only; anyone else who may see it gets 403."""
    staff = staff_for(user)
    try:
        case = (
            ChildCase.objects.filter(case_visibility_filter(staff), public_id=public_id)
            .select_related("allocated_team__service", "allocated_worker")
            .get()
        )
    except (ChildCase.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No case file found.") from exc
    if write and not can_change_cases(staff):
        raise PermissionDenied("Only administrators can change a case file.")
    access_shown(user=user, targets=[case], purpose=Purpose.WRITE if write else Purpose.VIEW)
    return case
