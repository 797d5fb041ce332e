"""The get-for-user helper for imports: 404 for a run the user may not read, exactly as for a
missing one, and the reason someone may not import a kind of file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role
from auditloop.imports.models import ImportKind, ImportRun
from auditloop.imports.selectors import import_kinds_open_to, import_runs_visible_to

IMPORT_ROLES = (Role.ADMINISTRATOR, Role.MODERATOR)


def import_kind_refusal(user: Any, kind: str) -> str:
    """Why `user` may not import this kind of file, or "" when they may (the rule is
    `import_kinds_open_to`; the command line runs as the operator)."""
    try:
        staff = staff_for(user)
    except PermissionDenied:
        return "Only administrators and audit leads can import files."
    if kind in import_kinds_open_to(staff):
        return ""
    if kind == ImportKind.STAFF:
        return "Only an administrator can import a staff list, because it sets who may see what."
    return (
        "Only an administrator, or an audit lead who oversees every service, can import "
        "case lists, because they change cases across the council."
    )


def can_import(user: Any) -> bool:
    try:
        return staff_for(user).role in IMPORT_ROLES
    except PermissionDenied:
        return False


def get_import_run_for_user(user: Any, public_id: UUID) -> ImportRun:
    """The import run, if `user` may import its kind of file: an administrator any run, an
    audit lead over every service the case-list runs; 404 for anyone else or none."""
    if not can_import(user):
        raise PermissionDenied("Only administrators and audit leads may see imports.")
    try:
        return import_runs_visible_to(staff_for(user)).get(public_id=public_id)
    except (ImportRun.DoesNotExist, ValueError) as exc:
        raise Http404("No import found.") from exc
