"""The get-for-user helper for imports: 404 for a missing run, exactly as for any other."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from auditloop.accounts.models import Role
from auditloop.core.access import staff_for
from auditloop.imports.models import ImportRun

IMPORT_ROLES = (Role.ADMINISTRATOR, Role.MODERATOR)


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
