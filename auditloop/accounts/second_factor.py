"""Whether a signed-in session must still pass a second factor, and how.

After the password, a person passes a second factor when they have one set up (an
authenticator app, a passkey), or when their role requires one
(`AUDITLOOP_SECOND_FACTOR_ROLES`): with none set up, they are sent to set one up first. A
sign-in through the council's single sign-on whose provider says it used multi-factor
authentication counts as the second factor when `AUDITLOOP_SSO_MFA_COUNTS` is on.

Whether the login has a second factor is looked up once when it signs in and kept in the
session (every page would otherwise ask the database); it is looked up again whenever the
answer matters (the page that asks for a code), and the services that add or remove one
update the session they run in.
"""

from __future__ import annotations

import enum
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import devices_for_user

from auditloop.accounts.signin_state import SIGNED_IN_BY, SSO_MFA

# Whether the login had a confirmed second factor when it signed in (True or False).
HAS_SECOND_FACTOR = "auditloop_has_second_factor"


class Need(enum.Enum):
    NOTHING = "nothing"  # passed, counted from single sign-on, or not asked for
    VERIFY = "verify"  # has a second factor: must give it
    SET_UP = "set up"  # their role requires one and they have none


def role_requires_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    roles = settings.AUDITLOOP_SECOND_FACTOR_ROLES
    if not roles:
        return False
    staff = getattr(user, "staff", None)
    return staff is not None and staff.role in roles


def has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the login has a confirmed second factor (asks the database)."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def remember_has_second_factor(session: SessionBase, user: Any) -> bool:
    has = has_second_factor(user)
    session[HAS_SECOND_FACTOR] = has
    return has


def sso_mfa_counts(session: SessionBase) -> bool:
    return bool(
        settings.AUDITLOOP_SSO_MFA_COUNTS
        and session.get(SIGNED_IN_BY) == "sso"
        and session.get(SSO_MFA) is True
    )


def is_verified(request: HttpRequest) -> bool:
    """Whether this session passed a second factor (django-otp's device in the session)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified is not None and verified())


def second_factor_need(request: HttpRequest) -> Need:
    """What the signed-in session must still do before any other page."""
    user = request.user
    if not user.is_authenticated or is_verified(request) or sso_mfa_counts(request.session):
        return Need.NOTHING
    has = request.session.get(HAS_SECOND_FACTOR)
    if has is None:
        has = remember_has_second_factor(request.session, user)
    if has:
        return Need.VERIFY
    if role_requires_second_factor(user):
        return Need.SET_UP
    return Need.NOTHING


@receiver(user_logged_in, dispatch_uid="auditloop_second_factor_on_sign_in")
def _look_up_second_factor(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    if request is not None and hasattr(request, "session"):
        remember_has_second_factor(request.session, user)
