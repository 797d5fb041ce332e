"""What the accounts services share: who acted, and the checks every staff record passes
(a new one, a change, an approved change of role)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.core.models import snapshot

# Roles that look across one or more services rather than sitting in one team.
OVERSEEING_ROLES = frozenset({Role.MODERATOR, Role.SENIOR_LEADER, Role.BOARD_MEMBER})

STAFF_FIELDS = [
    "name",
    "email",
    "swe_number",
    "role",
    "team",
    "manager",
    "start_date",
    "end_date",
    "is_active",
]


def staff_snapshot(staff: StaffMember) -> dict[str, Any]:
    out = snapshot(staff, STAFF_FIELDS)
    out["services"] = sorted(s.name for s in staff.services.all())
    return out


def actor_name(by: StaffMember | None) -> str:
    return by.name if by is not None else "an administrator"


def check_staff(
    *,
    staff: StaffMember | None,
    email: str,
    role: str,
    team: Team | None,
    services: list[Service],
    manager: StaffMember | None,
    start_date: datetime.date | None,
    end_date: datetime.date | None,
) -> str | None:
    """Refuse what an administrator should not be able to save; return the normalised email."""
    errors: dict[str, str] = {}
    normalised = email.strip().lower() or None
    if normalised is not None:
        clash = StaffMember.objects.filter(email__iexact=normalised)
        if staff is not None:
            clash = clash.exclude(pk=staff.pk)
        if clash.exists():
            errors["email"] = "Another member of staff already has this email address."
    if role not in Role.values:
        errors["role"] = "Choose a role."
    if role in {Role.TEAM_MANAGER, Role.PRACTITIONER} and team is None:
        errors["team"] = f"A {Role(role).label.lower()} must belong to a team."
    if services and role not in OVERSEEING_ROLES:
        errors["services"] = (
            "Only moderators, senior leaders and board members look across services."
        )
    if manager is not None and staff is not None and manager.pk == staff.pk:
        errors["manager"] = "A member of staff cannot be their own line manager."
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = "The end date must be on or after the start date."
    if errors:
        raise ValidationError(errors)
    return normalised
