"""Who may import what, and the get-for-user helper for imports: 404 for a run the user may not
read, exactly as for a missing one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.core.refusals import Refused
from auditloop.imports.models import ImportKind, ImportRun
from auditloop.imports.selectors import import_kinds_open_to, import_runs_visible_to

IMPORT_ROLES = (Role.ADMINISTRATOR, Role.MODERATOR)


def can_import(staff: StaffMember) -> bool:
    """Whether `staff` may use the imports pages at all."""
    return staff.role in IMPORT_ROLES


def can_import_kind(staff: StaffMember, kind: str) -> bool:
    """Whether `staff` may import this kind of file (the rule is `import_kinds_open_to`)."""
    return kind in import_kinds_open_to(staff)


def refuse_unless_can_import_kind(staff: StaffMember, kind: str) -> None:
    """Refused, on the form's `kind` field, with why `staff` may not import this kind of file."""
    if can_import_kind(staff, kind):
        return
    if kind == ImportKind.STAFF:
        message = "Only an administrator can import a staff list, because it sets who may see what."
    else:
        message = (
            "Only an administrator, or an audit lead who oversees every service, can import "
            "case lists, because they change cases across the council."
        )
    raise Refused(message, field="kind")


def get_import_run_for_user(user: Any, public_id: UUID) -> ImportRun:
    """The import run, if `user` may import its kind of file: an administrator any run, an
    audit lead over every service the case-list runs; 404 for anyone else or none."""
    staff = staff_for(user)
    if not can_import(staff):
        raise PermissionDenied("Only administrators and audit leads may see imports.")
    try:
        return import_runs_visible_to(staff).get(public_id=public_id)
    except (ImportRun.DoesNotExist, ValueError) as exc:
        raise Http404("No import found.") from exc
