"""Writes for administration: services, teams, staff members and their logins.

Every function runs in one transaction, writes one event, and refuses bad input with a
ValidationError whose message the form shows. No event ever carries a password. `by` is the
member of staff acting (None for the command line, where a service allows it).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
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
    User,
)
from auditloop.accounts.selectors import service_ids_overseen_with
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.services import notification_send

# Roles that look across one or more services rather than sitting in one team.
OVERSEEING_ROLES = frozenset({Role.MODERATOR, Role.SENIOR_LEADER, Role.BOARD_MEMBER})

SERVICE_FIELDS = ["name", "head_of_service"]
TEAM_FIELDS = ["name", "service"]
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

# No 0/O or 1/l/I: the password is read off a screen and typed in by someone else.
_READABLE_CHARACTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _staff_snapshot(staff: StaffMember) -> dict[str, Any]:
    out = snapshot(staff, STAFF_FIELDS)
    out["services"] = sorted(s.name for s in staff.services.all())
    return out


def _name_of(by: StaffMember | None) -> str:
    return by.name if by is not None else "an administrator"


def _login_of(by: StaffMember | None) -> User | None:
    """The login an event or a decision names for `by` (None for the system)."""
    return by.user if by is not None else None


def _one_time_password() -> str:
    groups = ["".join(secrets.choice(_READABLE_CHARACTERS) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


# Services ---------------------------------------------------------------------------------


def _check_service(
    name: str, head_of_service: StaffMember | None, *, exclude: Service | None = None
) -> str:
    """Refuse a service without a name, with another's name, or headed by someone who has
    left; return the trimmed name. The same checks for a new service and a change."""
    if head_of_service is not None and not head_of_service.is_active:
        raise ValidationError({"head_of_service": "The head of service must be active staff."})
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the service's name."})
    clash = Service.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a service called {name}."})
    return name


@transaction.atomic
def service_create(
    *, by: StaffMember, name: str, head_of_service: StaffMember | None = None
) -> Service:
    service = Service.objects.create(
        name=_check_service(name, head_of_service), head_of_service=head_of_service
    )
    event_record(
        actor=_login_of(by),
        verb="service.created",
        target=service,
        summary=f"Service {service.name} created",
        after=snapshot(service, SERVICE_FIELDS),
    )
    return service


@transaction.atomic
def service_update(
    *, service: Service, by: StaffMember, name: str, head_of_service: StaffMember | None
) -> Service:
    """Rename a service and set (or clear) its head of service."""
    before = snapshot(service, SERVICE_FIELDS)
    service.name = _check_service(name, head_of_service, exclude=service)
    service.head_of_service = head_of_service
    service.save(update_fields=["name", "head_of_service"])
    event_record(
        actor=_login_of(by),
        verb="service.updated",
        target=service,
        summary=f"Service {service.name} changed",
        before=before,
        after=snapshot(service, SERVICE_FIELDS),
    )
    return service


# Teams ------------------------------------------------------------------------------------


def _check_team_name(name: str, service: Service, *, exclude: Team | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the team's name."})
    clash = Team.objects.filter(service=service, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": f"{service.name} already has a team called {name}."})
    return name


@transaction.atomic
def team_create(*, by: StaffMember, service: Service, name: str) -> Team:
    team = Team.objects.create(service=service, name=_check_team_name(name, service))
    event_record(
        actor=_login_of(by),
        verb="team.created",
        target=team,
        summary=f"Team {team.name} created in {service.name}",
        after=snapshot(team, TEAM_FIELDS),
    )
    return team


@transaction.atomic
def team_update(*, team: Team, by: StaffMember, name: str, service: Service) -> Team:
    """Rename a team, or move it to another service (its staff and cases move with it)."""
    before = snapshot(team, TEAM_FIELDS)
    team.name = _check_team_name(name, service, exclude=team)
    team.service = service
    team.save(update_fields=["name", "service"])
    event_record(
        actor=_login_of(by),
        verb="team.updated",
        target=team,
        summary=f"Team {team.name} changed",
        before=before,
        after=snapshot(team, TEAM_FIELDS),
    )
    return team


# Staff ------------------------------------------------------------------------------------


def _check_staff(
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


# Access: who may read audits ------------------------------------------------------------


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


def _access_of(staff: StaffMember) -> Access:
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


def _refuse_own_access_change(staff: StaffMember, by: StaffMember | None, proposed: Access) -> None:
    if by is None or staff.pk != by.pk:
        return
    if _access_of(staff).key() != proposed.key():
        raise ValidationError(
            {"role": "Nobody changes their own role, team or services. Ask another administrator."}
        )


def _withdraw_pending(staff: StaffMember, by: StaffMember | None, why: str) -> None:
    """A newer decision about someone's access replaces any request still waiting."""
    for waiting in staff.access_requests.filter(status=AccessRequestStatus.PENDING):
        waiting.status = AccessRequestStatus.WITHDRAWN
        waiting.decided_by = _login_of(by)
        waiting.decided_at = timezone.now()
        waiting.decision_note = why
        waiting.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        event_record(
            actor=_login_of(by),
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
            f"{_name_of(by)} asks for {request.staff.name} to be made "
            f"{Role(request.role).label.lower()}. It needs your approval."
        ),
        url=reverse("accounts:access_request", args=[request.public_id]),
    )


def staff_access_request(*, staff: StaffMember, by: StaffMember, proposed: Access) -> AccessRequest:
    """Ask for `staff` to be given `proposed` (see `access_needs_approval`); it waits for
    another administrator or a senior leader, who are told. Replaces any request waiting.
    Runs inside the caller's transaction (the staff pages, a staff list import)."""
    _withdraw_pending(staff, by, "A newer change was asked for.")
    request = AccessRequest.objects.create(
        staff=staff, role=proposed.role, team=proposed.team, requested_by=by.user
    )
    request.services.set(proposed.services)
    event_record(
        actor=_login_of(by),
        verb="staff.access_requested",
        target=staff,
        summary=f"{staff.name} to be {Role(proposed.role).label.lower()}: waiting for approval",
        before=_access_of(staff).snapshot(),
        after={**proposed.snapshot(), "request": str(request.public_id)},
    )
    _approvers_told(request, by)
    return request


# Staff records: create and change ----------------------------------------------------


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
    return _check_staff(
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
        actor=_login_of(by),
        verb="staff.created",
        target=staff,
        summary=f"{staff.name} added as {staff.get_role_display().lower()}",
        after=_staff_snapshot(staff),
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
    _refuse_own_access_change(staff, by, proposed)
    current = _access_of(staff)
    access_changes = proposed.key() != current.key()
    waits = by is not None and access_needs_approval(current, proposed)
    before = _staff_snapshot(staff)
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
        _withdraw_pending(staff, by, "The role, team or services were changed directly.")
    event_record(
        actor=_login_of(by),
        verb="staff.updated",
        target=staff,
        summary=f"{staff.name}'s record changed",
        before=before,
        after=_staff_snapshot(staff),
    )
    if waits and by is not None and access_changes:
        staff_access_request(staff=staff, by=by, proposed=proposed)
    return staff


@transaction.atomic
def access_request_approve(*, access_request: AccessRequest, by: StaffMember) -> StaffMember:
    """Another administrator or a senior leader approves: the person gets the role, team and
    services asked for. Never by whoever asked, nor by the person it is about."""
    request = _decidable(access_request, by)
    staff = request.staff
    if not staff.is_active:
        raise ValidationError(f"{staff.name} has left: this request can only be rejected.")
    proposed = Access(request.role, request.team, tuple(request.services.all()))
    _check_staff(
        staff=staff,
        email=staff.email or "",
        role=proposed.role,
        team=proposed.team,
        services=list(proposed.services),
        manager=staff.manager,
        start_date=staff.start_date,
        end_date=staff.end_date,
    )
    before = _access_of(staff).snapshot()
    staff.role = proposed.role
    staff.team = proposed.team
    staff.save(update_fields=["role", "team"])
    staff.services.set(proposed.services)
    _decide(request, by, AccessRequestStatus.APPROVED, "")
    event_record(
        actor=_login_of(by),
        verb="staff.access_approved",
        target=staff,
        summary=f"{staff.name} made {staff.get_role_display().lower()}, approved by {_name_of(by)}",
        before=before,
        after={**proposed.snapshot(), "request": str(request.public_id)},
    )
    if request.requested_by_id is not None:
        notification_send(
            recipients=StaffMember.objects.filter(user_id=request.requested_by_id),
            message=f"{_name_of(by)} approved the change of role for {staff.name}.",
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
        actor=_login_of(by),
        verb="staff.access_withdrawn" if own else "staff.access_rejected",
        target=request.staff,
        summary=f"Request to make {request.staff.name} {Role(request.role).label.lower()} "
        f"{'withdrawn' if own else 'rejected'} by {_name_of(by)}",
        after={"request": str(request.public_id), "why": reason},
    )
    if not own and request.requested_by_id is not None:
        notification_send(
            recipients=StaffMember.objects.filter(user_id=request.requested_by_id),
            message=f"{_name_of(by)} did not approve the change of role for {request.staff.name}.",
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
        actor=_login_of(by),
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
        actor=_login_of(by),
        verb="staff.reactivated",
        target=staff,
        summary=f"{staff.name} reactivated",
        before=before,
        after=snapshot(staff, ["is_active", "end_date"]),
    )
    return staff


@transaction.atomic
def staff_login_create(
    *, staff: StaffMember, by: StaffMember | None, username: str
) -> tuple[User, str]:
    """Give a member of staff a login. Returns the login and a one-time password, which the
    caller shows once and never stores; only its hash is kept. `by` None is the system."""
    username = username.strip()
    if not staff.is_active:
        raise ValidationError(f"{staff.name} is inactive: reactivate them first.")
    if staff.user_id is not None:
        raise ValidationError(f"{staff.name} already has a login. Reset the password instead.")
    if not username:
        raise ValidationError({"username": "Enter a username."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username} is already taken."})
    user = User(username=username, email=staff.email or "")
    user.username = User.normalize_username(username)
    user.full_clean(exclude=["password"])
    password = _one_time_password()
    validate_password(password, user)
    _set_one_time_password(user, password)
    user.save()
    staff.user = user
    staff.save(update_fields=["user"])
    notification_send(
        recipients=[staff],
        message=(
            f"{_name_of(by)} made you an auditloop login, {user.username}. They will give you "
            "a one-time password in person or by phone; you choose your own when you first "
            "sign in. If you did not expect this, tell your manager."
        ),
        email_subject="You have an auditloop login",
    )
    event_record(
        actor=_login_of(by),
        verb="staff.login_created",
        target=staff,
        summary=f"Login {user.username} created for {staff.name}",
        after={"username": user.username},
    )
    return user, password


def _set_one_time_password(user: User, password: str) -> None:
    """The password signs in once, and then its owner must choose their own."""
    user.set_password(password)
    user.password_change_required = True
    user.one_time_password_used_at = None


@transaction.atomic
def staff_password_reset(*, staff: StaffMember, by: StaffMember) -> str:
    """Set a new one-time password and return it, to be shown once and never stored.

    The old password and every open session stop working; the login's API tokens are
    revoked (a token made by whoever had the password must not outlive it); and the owner is
    told by email, without the password, so that a reset they did not ask for is noticed."""
    user = staff.user
    if user is None:
        raise ValidationError(f"{staff.name} has no login yet. Create one instead.")
    if not staff.is_active:
        raise ValidationError(f"{staff.name} is inactive: reactivate them first.")
    if staff.pk == by.pk:
        raise ValidationError("Change your own password on the 'Change your password' page.")
    password = _one_time_password()
    _set_one_time_password(user, password)
    user.save(update_fields=["password", "password_change_required", "one_time_password_used_at"])
    now = timezone.now()
    revoked = user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    notification_send(
        recipients=[staff],
        message=(
            f"Your auditloop password was reset by {_name_of(by)} on "
            f"{timezone.localtime(now):%d %B %Y at %H:%M}, and your API tokens were revoked. "
            "If you did not ask for this, tell your manager and the service desk at once."
        ),
        email_subject="Your auditloop password has been reset",
    )
    event_record(
        actor=_login_of(by),
        verb="staff.password_reset",
        target=staff,
        summary=f"Password reset for login {user.username}",
        after={
            "username": user.username,
            "api_tokens_revoked": revoked,
            "owner_emailed": bool(staff.email),
        },
    )
    return password


@transaction.atomic
def one_time_password_spend(*, user: User) -> bool:
    """Use up `user`'s one-time password as they sign in with it. False when it was already
    used: it signs in once only (two sign-ins at the same moment cannot both have it)."""
    spent = User.objects.filter(
        pk=user.pk, password_change_required=True, one_time_password_used_at__isnull=True
    ).update(one_time_password_used_at=timezone.now())
    if not spent:
        return False
    staff = getattr(user, "staff", None)
    event_record(
        actor=user,
        verb="user.one_time_password_used",
        target=staff if staff is not None else user,
        summary=f"Login {user.username} signed in with its one-time password",
    )
    return True


@transaction.atomic
def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """A signed-in person replaces their password (for example the one-time one)."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": "Your current password is not right."})
    if new_password == current_password:
        raise ValidationError({"new_password": "Choose a new password, not the one you have now."})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    user.password_change_required = False
    user.one_time_password_used_at = None
    user.save(update_fields=["password", "password_change_required", "one_time_password_used_at"])
    staff = getattr(user, "staff", None)
    event_record(
        actor=user,
        verb="user.password_changed",
        target=staff if staff is not None else user,
        summary=f"Login {user.username} changed its password",
    )
