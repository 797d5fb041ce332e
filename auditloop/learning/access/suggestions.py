"""Theme suggestions are the audit leads': each is drawn from the untagged learning points of
the services its lead oversees, and a lead reads and decides only the suggestions whose points
all lie in services they oversee (accepting one tags every one of its points)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.learning.models import LearningPoint, ThemeSuggestion


def suggestion_visibility_filter(staff: StaffMember) -> Q:
    """The suggestions `staff` may read and decide: an audit lead's, every point of which is in
    a service they oversee."""
    if staff.role != Role.MODERATOR:
        return Q(pk__in=[])
    outside = LearningPoint.objects.filter(theme_suggestions=OuterRef("pk")).exclude(
        audit__team__service_id__in=services_overseen(staff)
    )
    return ~Q(Exists(outside))


def get_theme_suggestion_for_user(user: Any, public_id: UUID | str) -> ThemeSuggestion:
    staff = staff_for(user)
    try:
        return (
            ThemeSuggestion.objects.filter(suggestion_visibility_filter(staff), public_id=public_id)
            .select_related("theme", "decided_by")
            .get()
        )
    except (ThemeSuggestion.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No theme suggestion found.") from exc
