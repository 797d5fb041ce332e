"""The get-for-user helper for imports: 404 for a missing run, exactly as for any other."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from auditloop.accounts.models import Role, Service
from auditloop.audits.selectors import services_overseen
from auditloop.core.access import staff_for
from auditloop.imports.models import ImportKind, ImportRun

IMPORT_ROLES = (Role.ADMINISTRATOR, Role.MODERATOR)


def import_kind_refusal(user: Any, kind: str) -> str:
    """Why `user` may not import this kind of file, or "" when they may.

    A staff list sets roles, teams and who oversees what, so only an administrator imports
    one; case lists reallocate and close cases across the council, so an audit lead imports
    them only when they oversee every service. (The command line runs as the operator.)
    """
    try:
        staff = staff_for(user)
    except PermissionDenied:
        return "Only administrators and audit leads can import files."
    if staff.role == Role.ADMINISTRATOR:
        return ""
    if kind == ImportKind.STAFF:
        return "Only an administrator can import a staff list, because it sets who may see what."
    every_service = set(Service.objects.values_list("id", flat=True))
    if staff.role == Role.MODERATOR and every_service <= set(services_overseen(staff)):
        return ""
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
    """The import run, for an administrator or audit lead; 404 for anyone else or none."""
    if not can_import(user):
        raise PermissionDenied("Only administrators and audit leads may see imports.")
    return get_object_or_404(
        ImportRun.objects.select_related("by__staff").defer("content"), public_id=public_id
    )
