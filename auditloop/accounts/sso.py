"""Who may sign in through single sign-on: the staff list decides, never the identity provider.

The provider vouches for an email address; a person signs in only as the active member of
staff whose email it is (case aside), with an active login, before their end date. Nobody is
created by signing in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from auditloop.accounts.models import StaffMember, User
from auditloop.accounts.rules.sessions import has_left


class Refusal(StrEnum):
    """Why a person the provider signed in may not use auditloop."""

    NO_EMAIL = "no email"
    UNVERIFIED_EMAIL = "email not verified"
    OTHER_DOMAIN = "another domain"
    UNKNOWN = "not on the staff list"
    NO_LOGIN = "no login"
    DEACTIVATED = "deactivated"
    LEFT = "past end date"


# What the refusal page tells the person (they have just signed in to the council's account,
# so saying why helps them and tells an outsider nothing new).
REFUSAL_WORDS = {
    Refusal.NO_EMAIL: "Your council account did not give auditloop an email address.",
    Refusal.UNVERIFIED_EMAIL: "Your council account's email address has not been verified.",
    Refusal.OTHER_DOMAIN: "This account is not one of your council's accounts.",
    Refusal.UNKNOWN: "This email address is not on auditloop's staff list.",
    Refusal.NO_LOGIN: "Your staff record does not have an auditloop login.",
    Refusal.DEACTIVATED: "Your auditloop login has been deactivated.",
    Refusal.LEFT: "Your staff record says you have left, so your access has ended.",
}

# The failed sign-ins log's "Why" for each.
LOG_WORDS = {
    Refusal.NO_EMAIL: "Single sign-on: no email address",
    Refusal.UNVERIFIED_EMAIL: "Single sign-on: email not verified",
    Refusal.OTHER_DOMAIN: "Single sign-on: another domain",
    Refusal.UNKNOWN: "Single sign-on: not on the staff list",
    Refusal.NO_LOGIN: "Single sign-on: no login",
    Refusal.DEACTIVATED: "Single sign-on: deactivated",
    Refusal.LEFT: "Single sign-on: past end date",
}
TOKEN_REFUSED_LOG_WORDS = "Single sign-on: sign-in not confirmed"  # noqa: S105


@dataclass(frozen=True)
class SignOnRefused:
    """A refusal, as the sign-on backend leaves it on the request for the callback page."""

    reason: Refusal
    email: str
    username: str  # the login's, when one was found, else the email


def staff_refusal(staff: StaffMember, *, today: datetime.date) -> Refusal | None:
    """Whether this member of staff may sign in today (a rule on the record, no query)."""
    user = staff.user
    if user is None:
        return Refusal.NO_LOGIN
    if not staff.is_active or not user.is_active:
        return Refusal.DEACTIVATED
    if has_left(staff.end_date, today):
        return Refusal.LEFT
    return None


def staff_signing_on(email: str) -> tuple[User | None, SignOnRefused | None]:
    """The login an email signs in as, or why it may not. An email that two staff records share
    but for case matches neither (the staff list must say which person it is)."""
    email = email.strip()
    if not email:
        return None, SignOnRefused(Refusal.NO_EMAIL, "", "")
    matches = list(StaffMember.objects.filter(email__iexact=email).select_related("user")[:2])
    if len(matches) != 1:
        return None, SignOnRefused(Refusal.UNKNOWN, email, email)
    staff = matches[0]
    refusal = staff_refusal(staff, today=timezone.localdate())
    if staff.user is None or refusal is not None:
        username = staff.user.username if staff.user is not None else email
        return None, SignOnRefused(refusal or Refusal.NO_LOGIN, email, username)
    return staff.user, None
