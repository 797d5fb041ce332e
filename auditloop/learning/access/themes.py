"""The theme list: every auditing role reads it (to tag learning points, and to read what the
themes mean); only the audit leads (role moderator) change it. One list for the council, so
that key messages and training needs count the same theme across services."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404

from auditloop.accounts.models import AUDITING_ROLES, Role, StaffMember
from auditloop.learning.models import Theme

THEME_READERS = AUDITING_ROLES
THEME_KEEPERS = frozenset({Role.MODERATOR})


def can_keep_themes(staff: StaffMember) -> bool:
    return staff.role in THEME_KEEPERS


def get_theme_for_user(user: Any, public_id: UUID | str) -> Theme:
    """The theme (the view's role check has decided who may change it); 404 for none."""
    del user  # One list for everyone who may read it: nothing to scope.
    try:
        return Theme.objects.get(public_id=public_id)
    except (Theme.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No theme found.") from exc
