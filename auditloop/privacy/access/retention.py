"""Who may open which retention record: the decorators name RETENTION_ROLES; these helpers
answer 404 for a rule or hold that does not exist, and 403 for anyone outside those roles."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from auditloop.accounts.access import staff_for
from auditloop.privacy.access.roles import RETENTION_ROLES
from auditloop.privacy.models import LegalHold, RetentionRule


def _require_retention_role(user: Any) -> None:
    if staff_for(user).role not in RETENTION_ROLES:
        raise PermissionDenied(
            "Only administrators and the Data Protection Officer keep the retention schedule."
        )


def get_retention_rule_for_user(user: Any, public_id: UUID) -> RetentionRule:
    _require_retention_role(user)
    return get_object_or_404(RetentionRule, public_id=public_id)


def get_legal_hold_for_user(user: Any, public_id: UUID) -> LegalHold:
    _require_retention_role(user)
    return get_object_or_404(
        LegalHold.objects.select_related("case", "set_by"), public_id=public_id
    )
