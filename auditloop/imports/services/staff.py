"""Writing a staff list: services, teams and staff members, inside the caller's transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from auditloop.accounts.models import Role, Service, StaffMember, Team, User, actor_login
from auditloop.accounts.services.access_requests import (
    Access,
    access_needs_approval,
    staff_access_request,
)
from auditloop.accounts.services.common import OVERSEEING_ROLES
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.imports.parsers.base import Issue, ParsedStaff, StaffRow
from auditloop.imports.values import normalise_name

STAFF_FIELDS = ("name", "swe_number", "role", "team_id", "start_date", "end_date", "is_active")


@dataclass
class StaffCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)


def _service(name: str, services: dict[str, Service]) -> Service:
    key = normalise_name(name)
    if key not in services:
        services[key] = Service.objects.create(name=name)
    return services[key]


def _team(name: str, service: Service, teams: dict[tuple[int, str], Team]) -> Team:
    key = (service.pk, normalise_name(name))
    if key not in teams:
        teams[key] = Team.objects.create(service=service, name=name)
    return teams[key]


@dataclass
class _Directory:
    """The council as the import goes: services, teams and staff by the keys a list names them."""

    services: dict[str, Service]
    teams: dict[tuple[int, str], Team]
    by_email: dict[str, StaffMember]
    by_swe: dict[str, StaffMember]

    @classmethod
    def load(cls) -> _Directory:
        people = list(StaffMember.objects.all())
        return cls(
            services={normalise_name(s.name): s for s in Service.objects.all()},
            teams={(t.service_id, normalise_name(t.name)): t for t in Team.objects.all()},
            by_email={s.email.casefold(): s for s in people if s.email},
            by_swe={s.swe_number.upper(): s for s in people if s.swe_number},
        )

    def find(self, row: StaffRow) -> StaffMember | None:
        found = self.by_email.get(row.email)
        return found or (self.by_swe.get(row.swe_number) if row.swe_number else None)


def _own_row(name: str, row: StaffRow) -> Issue:
    return Issue(
        name,
        row.row,
        "email",
        row.email,
        "This row is your own record, so it was left as it is. Ask another administrator to "
        "change it on the staff pages.",
        "warning",
    )


def _desired(
    row: StaffRow, team: Team | None, today: datetime.date, current: Access | None, waits: bool
) -> dict[str, Any]:
    """The record the row asks for; while a wider access waits for approval they keep what
    they had, and someone new starts as a practitioner."""
    desired: dict[str, Any] = {
        "name": row.name,
        "swe_number": row.swe_number,
        "role": row.role,
        "team_id": team.pk if team else None,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "is_active": row.end_date is None or row.end_date > today,
    }
    if waits:
        desired["role"] = current.role if current else Role.PRACTITIONER
        desired["team_id"] = current.team.pk if current and current.team else desired["team_id"]
    return desired


def _staff_write(
    staff: StaffMember | None,
    row: StaffRow,
    desired: dict[str, Any],
    *,
    name: str,
    actor: User | None,
    counts: StaffCounts,
) -> StaffMember:
    """Create the person or change what differs, with one event; count which it was."""
    if staff is None:
        staff = StaffMember.objects.create(email=row.email, **desired)
        counts.created += 1
        event_record(
            actor=actor,
            verb="staff.imported",
            target=staff,
            summary=f"{staff.name} added from staff list {name}",
            after=snapshot(staff, list(STAFF_FIELDS)),
        )
        return staff
    changes = {k: v for k, v in desired.items() if getattr(staff, k) != v}
    if staff.email != row.email:
        changes["email"] = row.email
    if not changes:
        counts.unchanged += 1
        return staff
    before = snapshot(staff, list(changes))
    for key, value in changes.items():
        setattr(staff, key, value)
    staff.save(update_fields=[*changes])
    if changes.get("is_active") is False and staff.user_id is not None:
        # Ended on the list: their login ends with them, as on the staff pages.
        User.objects.filter(pk=staff.user_id).update(is_active=False)
    event_record(
        actor=actor,
        verb="staff.updated_by_import",
        target=staff,
        summary=f"{staff.name} changed by staff list {name}",
        before=before,
        after=snapshot(staff, list(changes)),
    )
    counts.updated += 1
    return staff


def _managers_link(
    listed: list[tuple[StaffMember, str]],
    rows: list[StaffRow],
    directory: _Directory,
    *,
    name: str,
    counts: StaffCounts,
) -> None:
    for (staff, manager_email), row in zip(listed, rows, strict=True):
        if not manager_email:
            continue
        manager = directory.by_email.get(manager_email)
        if manager is None:
            counts.issues.append(
                Issue(
                    name,
                    row.row,
                    "manager_email",
                    manager_email,
                    "No member of staff has this email address, so no manager was set.",
                    "warning",
                )
            )
            continue
        if staff.manager_id != manager.pk:
            StaffMember.objects.filter(pk=staff.pk).update(manager=manager)


@transaction.atomic
def staff_rows_apply(
    *, parsed: ParsedStaff, name: str, today: datetime.date, by: StaffMember | None = None
) -> StaffCounts:
    """Create or update the staff the list names (matched by email, then SWE number), with
    the services and teams it names; managers are linked once everyone is in.

    Each person created or changed gets an event naming `by`; someone the list ends loses
    their login too. A row for the importer themself is left alone: nobody changes their
    own role or ends their own access by uploading a file. A role, team or service that
    would let someone read audits they could not (see `access_needs_approval`) is asked
    for, not given, exactly as on the staff pages; the command line (`by` None) gives it."""
    counts = StaffCounts()
    actor = actor_login(by)
    directory = _Directory.load()
    listed: list[tuple[StaffMember, str]] = []
    for row in parsed.rows:
        service = _service(row.service, directory.services) if row.service else None
        team = _team(row.team, service, directory.teams) if row.team and service else None
        staff = directory.find(row)
        if staff is not None and by is not None and staff.pk == by.pk:
            counts.issues.append(_own_row(name, row))
            counts.unchanged += 1
            listed.append((staff, ""))  # keeps `listed` in step with the rows
            continue
        current = (
            None if staff is None else Access(staff.role, staff.team, tuple(staff.services.all()))
        )
        overseen = (service,) if service is not None and row.role in OVERSEEING_ROLES else ()
        proposed = Access(
            row.role,
            team,
            tuple(dict.fromkeys([*(current.services if current else ()), *overseen])),
        )
        waits = by is not None and access_needs_approval(current, proposed)
        desired = _desired(row, team, today, current, waits)
        new = staff is None
        staff = _staff_write(staff, row, desired, name=name, actor=actor, counts=counts)
        if new:
            directory.by_email[row.email] = staff
        if by is not None and waits:
            staff_access_request(staff=staff, by=by, proposed=proposed)
        elif overseen:
            staff.services.add(*overseen)
        listed.append((staff, row.manager_email))
        if row.swe_number:
            directory.by_swe[row.swe_number] = staff
    _managers_link(listed, parsed.rows, directory, name=name, counts=counts)
    return counts
