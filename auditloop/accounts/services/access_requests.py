"""Changes of role, team or services that let someone read more: asked for, then approved or
rejected by a second person (an administrator or a senior leader)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.access import APPROVERS_ONLY, can_approve_access_changes
from auditloop.accounts.models import (
    ACCESS_APPROVER_ROLES,
    ROLES_NEEDING_APPROVAL,
    AccessRequest,
    AccessRequestStatus,
    Role,
    Service,
    StaffMember,
    Team,
    actor_login,
)
from auditloop.accounts.selectors import service_ids_overseen_with
from auditloop.accounts.services.common import actor_name, check_staff
from auditloop.core.events import event_record
from auditloop.core.services import notification_send


@dataclass(frozen=True)
class Access:
    """What decides which audits someone reads: their role, team and services."""

    role: str
    team: Team | None
    services: tuple[Service, ...]

    def overseen_service_ids(self) -> set[int]:
        return service_ids_overseen_with(self.role, self.team, (s.pk for s in self.services))

    def key(self) -> tuple[str, int | None, frozenset[int]]:
        return (
            self.role,
            self.team.pk if self.team else None,
            frozenset(s.pk for s in self.services),
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "team": str(self.team) if self.team is not None else None,
            "services": sorted(s.name for s in self.services),
        }


def access_of(staff: StaffMember) -> Access:
    return Access(staff.role, staff.team, tuple(staff.services.all()))


def access_needs_approval(current: Access | None, proposed: Access) -> bool:
    """True when `proposed` lets the person read audits they could not read with `current`
    (or approve such changes): a new role among ROLES_NEEDING_APPROVAL, a team manager's new
    team, an audit lead's or senior leader's new services. Narrowing never needs approval."""
    if proposed.role not in ROLES_NEEDING_APPROVAL:
        return False
    if current is None or current.role != proposed.role:
        return True
    if proposed.role == Role.TEAM_MANAGER:
        return proposed.key()[1] != current.key()[1]
    if proposed.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return not proposed.overseen_service_ids() <= current.overseen_service_ids()
    return False


def refuse_own_access_change(staff: StaffMember, by: StaffMember | None, proposed: Access) -> None:
    if by is None or staff.pk != by.pk:
        return
    if access_of(staff).key() != proposed.key():
        raise ValidationError(
            {"role": "Nobody changes their own role, team or services. Ask another administrator."}
        )


def pending_requests_withdraw(staff: StaffMember, by: StaffMember | None, why: str) -> None:
    """A newer decision about someone's access replaces any request still waiting."""
    for waiting in staff.access_requests.filter(status=AccessRequestStatus.PENDING):
        waiting.status = AccessRequestStatus.WITHDRAWN
        waiting.decided_by = actor_login(by)
        waiting.decided_at = timezone.now()
        waiting.decision_note = why
        waiting.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        event_record(
            actor=actor_login(by),
            verb="staff.access_withdrawn",
            target=staff,
            summary=f"Request to make {staff.name} {Role(waiting.role).label.lower()} withdrawn",
            after={"request": str(waiting.public_id), "why": why},
        )


def _approvers_told(request: AccessRequest, by: StaffMember) -> None:
    approvers = StaffMember.objects.filter(
        is_active=True, role__in=ACCESS_APPROVER_ROLES, user__isnull=False
    ).exclude(pk=by.pk)
    notification_send(
        recipients=approvers.exclude(pk=request.staff_id),
        message=(
            f"{actor_name(by)} asks for {request.staff.name} to be made "
            f"{Role(request.role).label.lower()}. It needs your approval."
        ),
        url=reverse("accounts:access_request", args=[request.public_id]),
    )


def staff_access_request(*, staff: StaffMember, by: StaffMember, proposed: Access) -> AccessRequest:
    """Ask for `staff` to be given `proposed` (see `access_needs_approval`); it waits for
    another administrator or a senior leader, who are told. Replaces any request waiting.
    Runs inside the caller's transaction (the staff pages, a staff list import)."""
    pending_requests_withdraw(staff, by, "A newer change was asked for.")
    request = AccessRequest.objects.create(
        staff=staff, role=proposed.role, team=proposed.team, requested_by=by.user
    )
    request.services.set(proposed.services)
    event_record(
        actor=actor_login(by),
        verb="staff.access_requested",
        target=staff,
        summary=f"{staff.name} to be {Role(proposed.role).label.lower()}: waiting for approval",
        before=access_of(staff).snapshot(),
        after={**proposed.snapshot(), "request": str(request.public_id)},
    )
    _approvers_told(request, by)
    return request


@transaction.atomic
def access_request_approve(*, access_request: AccessRequest, by: StaffMember) -> StaffMember:
    """Another administrator or a senior leader approves: the person gets the role, team and
    services asked for. Never by whoever asked, nor by the person it is about."""
    request = _decidable(access_request, by)
    staff = request.staff
    if not staff.is_active:
        raise ValidationError(f"{staff.name} has left: this request can only be rejected.")
    proposed = Access(request.role, request.team, tuple(request.services.all()))
    check_staff(
        staff=staff,
        email=staff.email or "",
        role=proposed.role,
        team=proposed.team,
        services=list(proposed.services),
        manager=staff.manager,
        start_date=staff.start_date,
        end_date=staff.end_date,
    )
    before = access_of(staff).snapshot()
    staff.role = proposed.role
    staff.team = proposed.team
    staff.save(update_fields=["role", "team"])
    staff.services.set(proposed.services)
    _decide(request, by, AccessRequestStatus.APPROVED, "")
    event_record(
        actor=actor_login(by),
        verb="staff.access_approved",
        target=staff,
        summary=f"{staff.name} made {staff.get_role_display().lower()}, "
        f"approved by {actor_name(by)}",
        before=before,
        after={**proposed.snapshot(), "request": str(request.public_id)},
    )
    if request.requested_by_id is not None:
        notification_send(
            recipients=StaffMember.objects.filter(user_id=request.requested_by_id),
            message=f"{actor_name(by)} approved the change of role for {staff.name}.",
            url=reverse("accounts:access_request", args=[request.public_id]),
        )
    return staff


@transaction.atomic
def access_request_reject(*, access_request: AccessRequest, by: StaffMember, reason: str) -> None:
    """Turn the request down, saying why; the person keeps what they had. Whoever asked may
    withdraw their own request the same way."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the change is not approved."})
    own = by.user_id is not None and access_request.requested_by_id == by.user_id
    request = _decidable(access_request, by, withdrawing=own)
    status = AccessRequestStatus.WITHDRAWN if own else AccessRequestStatus.REJECTED
    _decide(request, by, status, reason)
    event_record(
        actor=actor_login(by),
        verb="staff.access_withdrawn" if own else "staff.access_rejected",
        target=request.staff,
        summary=f"Request to make {request.staff.name} {Role(request.role).label.lower()} "
        f"{'withdrawn' if own else 'rejected'} by {actor_name(by)}",
        after={"request": str(request.public_id), "why": reason},
    )
    if not own and request.requested_by_id is not None:
        notification_send(
            recipients=StaffMember.objects.filter(user_id=request.requested_by_id),
            message=f"{actor_name(by)} did not approve the change of role for "
            f"{request.staff.name}.",
            url=reverse("accounts:access_request", args=[request.public_id]),
        )


def _decidable(
    access_request: AccessRequest, by: StaffMember, *, withdrawing: bool = False
) -> AccessRequest:
    """The request, locked, if `by` may decide it now; else a ValidationError saying why."""
    request = (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("staff", "requested_by", "team")
        .get(pk=access_request.pk)
    )
    if not by.is_active:
        raise ValidationError("Only active staff decide on role changes.")
    if not withdrawing and not can_approve_access_changes(by):
        raise ValidationError(APPROVERS_ONLY)
    if request.staff_id == by.pk:
        raise ValidationError("Nobody decides on a change to their own role. Ask someone else.")
    if not withdrawing and by.user_id is not None and request.requested_by_id == by.user_id:
        raise ValidationError(
            "You asked for this change, so someone else must approve it: another "
            "administrator or a senior leader."
        )
    if request.status != AccessRequestStatus.PENDING:
        raise ValidationError(
            f"This request has already been {request.get_status_display().lower()}."
        )
    return request


def _decide(request: AccessRequest, by: StaffMember, status: str, note: str) -> None:
    request.status = status
    request.decided_by = by.user
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
