"""Writes of second factors: set up an authenticator app (with recovery codes), make new
recovery codes, check a code as someone signs in, and an administrator's reset of someone
else's. Events name the login and what changed, never a secret or a code."""

from __future__ import annotations

import time
from binascii import unhexlify

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditloop.accounts.models import StaffMember, User, actor_login
from auditloop.accounts.services.common import actor_name
from auditloop.core.events import event_record
from auditloop.core.services import notification_send

RECOVERY_CODES = 10
AUTHENTICATOR_APP = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
WRONG_CODE = "The code is not right. Enter the 6-digit code your app shows now, or a recovery code."


def event_target(user: User) -> Model:
    staff = StaffMember.objects.filter(user=user).first()
    return staff if staff is not None else user


def normalise_code(code: str) -> str:
    """A code as typed: spaces and dashes (as printed in groups) dropped, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def totp_code_matches(*, key: str, code: str) -> int | None:
    """The time step a 6-digit code matches for the hex `key` (this step or one either side,
    for a phone's clock a little out), or None."""
    code = normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def _recovery_codes_make(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def second_factor_totp_enrol(*, user: User, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Set up an authenticator app with the secret `key` (hex) the person was shown, once the
    `code` from their app proves it holds the same secret; an app set up before is replaced.
    Returns the device and new recovery codes (replacing any old ones), which the caller
    shows once and never stores elsewhere."""
    step = totp_code_matches(key=key, code=code)
    if step is None:
        raise ValidationError(
            {"code": "The code is not right. Enter the 6-digit code your app shows now."}
        )
    replaced = TOTPDevice.objects.filter(user=user).delete()[0] > 0
    # The code just used cannot be used again to sign in.
    device = TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_APP, key=key, confirmed=True, last_t=step
    )
    codes = _recovery_codes_make(user)
    event_record(
        actor=user,
        verb="second_factor.enrolled",
        target=event_target(user),
        summary=f"Login {user.username} set up an authenticator app"
        + (" in place of the one it had" if replaced else ""),
        after={"device": AUTHENTICATOR_APP, "replaced": replaced, "recovery_codes": len(codes)},
    )
    return device, codes


@transaction.atomic
def second_factor_recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for a login with a second factor; the old ones stop working."""
    if not any(not isinstance(d, StaticDevice) for d in devices_for_user(user, confirmed=True)):
        raise ValidationError("Set up an authenticator app or a passkey first.")
    codes = _recovery_codes_make(user)
    event_record(
        actor=user,
        verb="second_factor.recovery_codes_made",
        target=event_target(user),
        summary=f"Login {user.username} made new recovery codes; the old ones stopped working",
        after={"recovery_codes": len(codes)},
    )
    return codes


def recovery_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> Device:
    """The device that accepts `code` as `user` signs in: their authenticator app's current
    code, or one of their recovery codes (used up, and logged). Each device refuses codes for
    a while after repeated wrong ones (django-otp's throttling)."""
    code = normalise_code(code)
    if not code:
        raise ValidationError({"code": "Enter the code from your app, or a recovery code."})
    if len(code) == 6 and code.isdigit():
        for totp in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if totp.verify_token(code):
                return totp
        raise ValidationError({"code": WRONG_CODE})
    for static in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if static.verify_token(code):
            left = recovery_codes_left(user)
            event_record(
                actor=user,
                verb="second_factor.recovery_code_used",
                target=event_target(user),
                summary=f"Login {user.username} signed in with a recovery code",
                after={"recovery_codes_left": left},
            )
            return static
    raise ValidationError({"code": WRONG_CODE})


def second_factor_devices_remove(user: User) -> int:
    """Remove every second factor of `user` (inside the caller's transaction); how many."""
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    return removed


@transaction.atomic
def staff_second_factor_reset(*, staff: StaffMember, by: StaffMember, reason: str) -> int:
    """An administrator removes someone else's second factors (a lost phone), giving a reason:
    the person sets one up again when they next sign in. They are told by email. Never one's
    own: another administrator must do it, so that nobody who has only a password can remove
    the factor that guards it."""
    user = staff.user
    reason = reason.strip()
    if staff.pk == by.pk:
        raise ValidationError("Another administrator must reset your own second factor.")
    if user is None:
        raise ValidationError(f"{staff.name} has no login.")
    if not reason:
        raise ValidationError({"reason": "Enter why the second factor is being reset."})
    removed = second_factor_devices_remove(user)
    if not removed:
        raise ValidationError(f"{staff.name} has no second factor set up.")
    now = timezone.now()
    notification_send(
        recipients=[staff],
        message=(
            f"Your auditloop second factor was reset by {actor_name(by)} on "
            f"{timezone.localtime(now):%d %B %Y at %H:%M}: you will set one up again when you "
            "next sign in. If you did not ask for this, tell your manager and the service desk "
            "at once."
        ),
        email_subject="Your auditloop second factor has been reset",
    )
    event_record(
        actor=actor_login(by),
        verb="staff.second_factor_reset",
        target=staff,
        summary=f"Second factor reset for login {user.username}",
        after={"username": user.username, "devices_removed": removed, "reason": reason[:200]},
    )
    return removed
