"""Writes of logins: make one for a member of staff, reset its password (a one-time one), spend
that one-time password, change one's own. No event ever carries a password."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, User, actor_login
from auditloop.accounts.services.common import actor_name
from auditloop.accounts.services.sessions import signed_in_sessions_end_for_change
from auditloop.core.events import event_record
from auditloop.core.services import notification_send

# No 0/O or 1/l/I: the password is read off a screen and typed in by someone else.
_READABLE_CHARACTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _one_time_password() -> str:
    groups = ["".join(secrets.choice(_READABLE_CHARACTERS) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


@transaction.atomic
def staff_login_create(
    *, staff: StaffMember, by: StaffMember | None, username: str, organisation: str = ""
) -> tuple[User, str]:
    """Give a member of staff a login. Returns the login and a one-time password, which the
    caller shows once and never stores; only its hash is kept. `by` None is the system.
    A partner agency auditor's login records their agency (`organisation`), which names
    their row in the findings by agency; nobody else's records one."""
    username = username.strip()
    organisation = organisation.strip()
    if staff.role == Role.PARTNER and not organisation:
        raise ValidationError({"organisation": "Enter the agency they audit for."})
    if staff.role != Role.PARTNER and organisation:
        raise ValidationError(
            {"organisation": "Only a partner agency auditor's login records an agency."}
        )
    if not staff.is_active:
        raise ValidationError(f"{staff.name} is inactive: reactivate them first.")
    if staff.user_id is not None:
        raise ValidationError(f"{staff.name} already has a login. Reset the password instead.")
    if not username:
        raise ValidationError({"username": "Enter a username."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username} is already taken."})
    user = User(username=username, email=staff.email or "", organisation=organisation)
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
            f"{actor_name(by)} made you an auditloop login, {user.username}. They will give you "
            "a one-time password in person or by phone; you choose your own when you first "
            "sign in. If you did not expect this, tell your manager."
        ),
        email_subject="You have an auditloop login",
    )
    event_record(
        actor=actor_login(by),
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
    sessions_ended = signed_in_sessions_end_for_change(user=user)
    notification_send(
        recipients=[staff],
        message=(
            f"Your auditloop password was reset by {actor_name(by)} on "
            f"{timezone.localtime(now):%d %B %Y at %H:%M}, and your API tokens were revoked. "
            "If you did not ask for this, tell your manager and the service desk at once."
        ),
        email_subject="Your auditloop password has been reset",
    )
    event_record(
        actor=actor_login(by),
        verb="staff.password_reset",
        target=staff,
        summary=f"Password reset for login {user.username}",
        after={
            "username": user.username,
            "api_tokens_revoked": revoked,
            "sessions_ended": sessions_ended,
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
    staff = StaffMember.objects.filter(user=user).first()
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
    staff = StaffMember.objects.filter(user=user).first()
    event_record(
        actor=user,
        verb="user.password_changed",
        target=staff if staff is not None else user,
        summary=f"Login {user.username} changed its password",
    )
