"""Writes of signed-in sessions: the record made at sign-in and forgotten at sign-out, its
last-seen time, and ending sessions (one of one's own, all one's others, all of someone's
with their API tokens, and a leaver's on their end date).

Ending a session deletes it from the session store, so the next request with its cookie is
signed out. The store keeps sessions under their key and the record only a digest of it, so
the session is found by the digest of each live key (a short scan of the live sessions, done
only when a session is ended)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from auditloop.accounts.models import SignedInSession, StaffMember, User, actor_login
from auditloop.accounts.rules.sessions import browser_described, has_left, session_key_digest
from auditloop.accounts.signals import access_ending
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.core.signin import client_ip


@dataclass(frozen=True)
class Ended:
    """What ending someone's access ended: sessions, and API tokens revoked."""

    sessions: int
    tokens: int


def signed_in_session_record(*, request: HttpRequest, user: User) -> SignedInSession | None:
    """Note the session `user` just signed in with (receives `user_logged_in`). Bookkeeping
    of the sign-in, which axes already logs, so no event is written."""
    session_key = request.session.session_key
    if session_key is None:
        return None
    now = timezone.now()
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    record, _ = SignedInSession.objects.update_or_create(
        key_digest=session_key_digest(session_key),
        defaults={
            "user": user,
            "signed_in_at": now,
            "last_seen_at": now,
            "browser": browser_described(user_agent)[:100],
            "ip_address": client_ip(request),
        },
    )
    return record


def signed_in_session_forget(*, session_key: str | None) -> None:
    """The session is signing out (receives `user_logged_out`): its record goes with it."""
    if session_key:
        SignedInSession.objects.filter(key_digest=session_key_digest(session_key)).delete()


def signed_in_session_seen(*, session_key: str | None, at: datetime.datetime) -> None:
    """The session's idle expiry was renewed at `at`: so was its last-seen time. Called only
    when the session is renewed, never on every request."""
    if session_key:
        SignedInSession.objects.filter(key_digest=session_key_digest(session_key)).update(
            last_seen_at=at
        )


def signed_in_session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """The session kept its data under a new key (a password change does this): its record
    follows it."""
    if old_key and new_key and old_key != new_key:
        SignedInSession.objects.filter(key_digest=session_key_digest(old_key)).update(
            key_digest=session_key_digest(new_key)
        )


def _store_delete(digests: list[str]) -> int:
    """Delete from the session store the live sessions whose keys have these digests;
    how many there were."""
    if not digests:
        return 0
    store: Any = import_module(settings.SESSION_ENGINE).SessionStore
    # Hashed here, not by the database: PostgreSQL's SHA256 needs the pgcrypto extension.
    wanted = set(digests)
    live = (
        store.get_model_class()
        .objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", flat=True)
    )
    keys = [key for key in live.iterator(chunk_size=2000) if session_key_digest(key) in wanted]
    for key in keys:
        store(session_key=key).delete(key)
    return len(keys)


def _sessions_end(sessions: list[SignedInSession]) -> int:
    """End these sessions: out of the store, and their records deleted."""
    _store_delete([s.key_digest for s in sessions])
    SignedInSession.objects.filter(pk__in=[s.pk for s in sessions]).delete()
    return len(sessions)


def signed_in_sessions_end_for_change(*, user: User, keep_key: str | None = None) -> int:
    """End every session of `user` but the one with `keep_key`, for a change that writes its
    own event and signs them out anyway (a password reset or change: Django refuses a session
    made with the old password), so that they leave the store and the list at once. How many
    were ended."""
    keep = session_key_digest(keep_key) if keep_key else ""
    return _sessions_end(list(SignedInSession.objects.filter(user=user).exclude(key_digest=keep)))


@transaction.atomic
def signed_in_session_end(
    *, session: SignedInSession, by: StaffMember, current_key: str | None
) -> None:
    """`by` ends one of their own sessions elsewhere (a browser left signed in, a lost
    laptop); the session they are using is ended by signing out."""
    if by.user_id is None or session.user_id != by.user_id:
        raise Refused("You can end only your own sessions.")
    if current_key and session.key_digest == session_key_digest(current_key):
        raise Refused("This is the session you are using. Sign out to end it.")
    _sessions_end([session])
    event_record(
        actor=by.user,
        verb="user.session_ended",
        target=by,
        summary=f"{by.name} ended a session ({session.browser}, signed in "
        f"{timezone.localtime(session.signed_in_at):%d %B %Y %H:%M})",
        after={"sessions_ended": 1},
    )


@transaction.atomic
def signed_in_sessions_end_others(*, by: StaffMember, current_key: str | None) -> int:
    """`by` signs out everywhere but here; how many sessions were ended (no event when none)."""
    if by.user_id is None:
        return 0
    keep = session_key_digest(current_key) if current_key else ""
    others = list(SignedInSession.objects.filter(user_id=by.user_id).exclude(key_digest=keep))
    if not others:
        return 0
    ended = _sessions_end(others)
    event_record(
        actor=by.user,
        verb="user.sessions_ended_elsewhere",
        target=by,
        summary=f"{by.name} signed out everywhere else ({ended} "
        f"{'session' if ended == 1 else 'sessions'})",
        after={"sessions_ended": ended},
    )
    return ended


def _access_end(user: User, at: datetime.datetime) -> Ended:
    """End every session of `user` and, through `access_ending`, every API token."""
    sessions = _sessions_end(list(SignedInSession.objects.filter(user=user)))
    replies = access_ending.send(sender=User, user=user, at=at)
    return Ended(sessions=sessions, tokens=sum(int(count or 0) for _, count in replies))


@transaction.atomic
def sessions_end_all(*, user: User, by: StaffMember | None) -> Ended:
    """End every signed-in session of `user` and revoke every API token of theirs, at once
    (an administrator acting on a lost device or a leaver; `by` None is the system). One
    event on their staff record, with counts."""
    staff = StaffMember.objects.filter(user=user).first()
    if by is not None and staff is not None and staff.pk == by.pk:
        raise Refused("Use 'Your signed-in sessions' to sign out your own sessions.")
    ended = _access_end(user, timezone.now())
    event_record(
        actor=actor_login(by),
        verb="staff.access_ended",
        target=staff if staff is not None else user,
        summary=f"All sessions and API tokens of login {user.username} ended "
        f"({ended.sessions} {'session' if ended.sessions == 1 else 'sessions'}, "
        f"{ended.tokens} {'token' if ended.tokens == 1 else 'tokens'})",
        after={"sessions_ended": ended.sessions, "api_tokens_revoked": ended.tokens},
    )
    return ended


@transaction.atomic
def leaver_sign_out(*, staff: StaffMember, today: datetime.date) -> Ended:
    """Someone's end date on the staff list has come: they are marked as left, their login
    closed, their sessions ended and their API tokens revoked, with one event (counts only).
    Run by `auditloop leavers` every day; their sessions stopped working at the start of the
    day already (`SignedInSessionMiddleware`)."""
    if not has_left(staff.end_date, today):
        raise Refused(f"{staff.name}'s end date has not come.")
    was_active = staff.is_active
    StaffMember.objects.filter(pk=staff.pk).update(is_active=False)
    staff.is_active = False
    ended = Ended(sessions=0, tokens=0)
    user = staff.user
    login_was_active = user is not None and user.is_active
    if user is not None:
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        ended = _access_end(user, timezone.now())
    event_record(
        actor=None,
        verb="staff.left",
        target=staff,
        summary=f"{staff.name} left on {staff.end_date:%d %B %Y}: login closed, "
        f"{ended.sessions} {'session' if ended.sessions == 1 else 'sessions'} ended, "
        f"{ended.tokens} API {'token' if ended.tokens == 1 else 'tokens'} revoked",
        before={"is_active": was_active, "login_active": login_was_active},
        after={
            "is_active": False,
            "login_active": False,
            "sessions_ended": ended.sessions,
            "api_tokens_revoked": ended.tokens,
        },
    )
    return ended


def signed_in_sessions_prune(*, now: datetime.datetime) -> int:
    """Forget the records of sessions that have expired (idle too long, or signed in too
    long ago): bookkeeping, no event. How many were forgotten."""
    idle = now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    oldest = now - datetime.timedelta(seconds=settings.AUDITLOOP_SESSION_MAX_SECONDS)
    stale = SignedInSession.objects.filter(last_seen_at__lte=idle) | SignedInSession.objects.filter(
        signed_in_at__lte=oldest
    )
    count, _ = stale.delete()
    return count


def signed_in_received(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """Receives `user_logged_in`."""
    if request is not None and hasattr(request, "session") and isinstance(user, User):
        signed_in_session_record(request=request, user=user)


def signed_out_received(sender: Any, request: HttpRequest | None, **_: Any) -> None:
    """Receives `user_logged_out` (before the session is emptied)."""
    if request is not None and hasattr(request, "session"):
        signed_in_session_forget(session_key=request.session.session_key)
