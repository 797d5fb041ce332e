"""Who may read and change grading scales: as for the audit tools (see access/tools.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.audits.access.tools import TOOL_READ_ROLES, can_change_tools
from auditloop.audits.models import (
    GradingScale,
)


def get_grading_scale_for_user(
    user: Any, public_id: UUID | str, *, write: bool = False
) -> GradingScale:
    staff = staff_for(user)
    if staff.role not in TOOL_READ_ROLES:
        raise Http404("No grading scale found.")
    if write and not can_change_tools(staff):
        raise PermissionDenied("Only an audit lead or an administrator can change grading scales.")
    try:
        return GradingScale.objects.get(public_id=public_id)
    except (GradingScale.DoesNotExist, ValueError) as exc:
        raise Http404("No grading scale found.") from exc
