"""Writes of staff records: add someone, change their record, mark them as left or back."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import Role, Service, StaffMember, Team, actor_login
from auditloop.accounts.services.access_requests import (
    Access,
    access_needs_approval,
    access_of,
    pending_requests_withdraw,
    refuse_own_access_change,
    staff_access_request,
)
from auditloop.accounts.services.common import check_staff, staff_snapshot
from auditloop.core.events import event_record
from auditloop.core.models import snapshot


@dataclass(frozen=True)
class StaffDetails:
    """What an administrator writes on someone's record, the same for a new member of staff
    and a change (the staff form's fields)."""

    name: str
    role: str
    email: str = ""
    swe_number: str = ""
    team: Team | None = None
    services: Sequence[Service] = ()
    manager: StaffMember | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None

    @property
    def access(self) -> Access:
        return Access(self.role, self.team, tuple(self.services))


def _checked_email(staff: StaffMember | None, details: StaffDetails) -> str | None:
    return check_staff(
        staff=staff,
        email=details.email,
        role=details.role,
        team=details.team,
        services=list(details.services),
        manager=details.manager,
        start_date=details.start_date,
        end_date=details.end_date,
    )


@transaction.atomic
def staff_create(*, by: StaffMember | None, details: StaffDetails) -> StaffMember:
    """A new member of staff, without a login (see `staff_login_create`).

    A role that reads audits, or the administrator's, waits for a second person's approval
    (an AccessRequest); until then they are a practitioner, who reads nobody else's audits.
    `by` None is the system (the command line), which sets the role at once."""
    normalised = _checked_email(None, details)
    proposed = details.access
    waits = by is not None and access_needs_approval(None, proposed)
    staff = StaffMember.objects.create(
        name=details.name.strip(),
        email=normalised,
        swe_number=details.swe_number.strip(),
        role=Role.PRACTITIONER if waits else details.role,
        team=details.team,
        manager=details.manager,
        start_date=details.start_date,
        end_date=details.end_date,
    )
    if not waits:
        staff.services.set(details.services)
    event_record(
        actor=actor_login(by),
        verb="staff.created",
        target=staff,
        summary=f"{staff.name} added as {staff.get_role_display().lower()}",
        after=staff_snapshot(staff),
    )
    if waits and by is not None:
        staff_access_request(staff=staff, by=by, proposed=proposed)
    return staff


@transaction.atomic
def staff_update(
    *, staff: StaffMember, by: StaffMember | None, details: StaffDetails
) -> StaffMember:
    """Change someone's record. Nobody changes their own role, team or services. A change that
    lets the person read audits they could not (see `access_needs_approval`) is asked for, not
    made: the other details are saved and the role, team and services wait for approval."""
    normalised = _checked_email(staff, details)
    proposed = details.access
    refuse_own_access_change(staff, by, proposed)
    current = access_of(staff)
    access_changes = proposed.key() != current.key()
    waits = by is not None and access_needs_approval(current, proposed)
    before = staff_snapshot(staff)
    staff.name = details.name.strip()
    staff.email = normalised
    staff.swe_number = details.swe_number.strip()
    if not waits:
        staff.role = details.role
        staff.team = details.team
    staff.manager = details.manager
    staff.start_date = details.start_date
    staff.end_date = details.end_date
    staff.save()
    if not waits:
        staff.services.set(details.services)
    if staff.user is not None and normalised and staff.user.email != normalised:
        staff.user.email = normalised
        staff.user.save(update_fields=["email"])
    if access_changes and not waits:
        pending_requests_withdraw(staff, by, "The role, team or services were changed directly.")
    event_record(
        actor=actor_login(by),
        verb="staff.updated",
        target=staff,
        summary=f"{staff.name}'s record changed",
        before=before,
        after=staff_snapshot(staff),
    )
    if waits and by is not None and access_changes:
        staff_access_request(staff=staff, by=by, proposed=proposed)
    return staff


@transaction.atomic
def staff_deactivate(
    *, staff: StaffMember, by: StaffMember, end_date: datetime.date | None = None
) -> StaffMember:
    """Mark someone as having left. Their login stops working at once (open sessions too:
    Django's auth backend refuses inactive users on every request)."""
    if staff.pk == by.pk:
        raise ValidationError("You cannot deactivate yourself. Ask another administrator.")
    if not staff.is_active:
        raise ValidationError(f"{staff.name} is already inactive.")
    before = snapshot(staff, ["is_active", "end_date"])
    staff.is_active = False
    staff.end_date = end_date or staff.end_date or timezone.localdate()
    staff.save(update_fields=["is_active", "end_date"])
    if staff.user is not None:
        staff.user.is_active = False
        staff.user.save(update_fields=["is_active"])
    after = snapshot(staff, ["is_active", "end_date"])
    after["login_active"] = False
    event_record(
        actor=actor_login(by),
        verb="staff.deactivated",
        target=staff,
        summary=f"{staff.name} deactivated",
        before=before,
        after=after,
    )
    return staff


@transaction.atomic
def staff_reactivate(*, staff: StaffMember, by: StaffMember) -> StaffMember:
    """Bring back someone who returns; their login (if any) works again."""
    if staff.is_active:
        raise ValidationError(f"{staff.name} is already active.")
    before = snapshot(staff, ["is_active", "end_date"])
    staff.is_active = True
    staff.end_date = None
    staff.save(update_fields=["is_active", "end_date"])
    if staff.user is not None:
        staff.user.is_active = True
        staff.user.save(update_fields=["is_active"])
    event_record(
        actor=actor_login(by),
        verb="staff.reactivated",
        target=staff,
        summary=f"{staff.name} reactivated",
        before=before,
        after=snapshot(staff, ["is_active", "end_date"]),
    )
    return staff
