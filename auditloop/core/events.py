"""Writing the event log: every service calls event_record once per change. (Reads go to the
access log through auditloop.core.accesslog.access_shown.)"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from auditloop.core.models import Event, FailedSignIn, RefusedRequest


def _target_id(target: models.Model) -> str:
    return str(getattr(target, "public_id", None) or target.pk)


def fields_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The names whose values differ between two snapshots of the same fields, in order. A name
    missing from one side counts as empty. Used to log that audit content changed without
    logging what it says."""
    names = dict.fromkeys([*before, *after])
    return [n for n in names if (before.get(n) or None) != (after.get(n) or None)]


def event_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    content_changed: Iterable[str] = (),
) -> Event:
    """Record one change. `actor` is a User, or None for the system.

    `before` and `after` carry facts (status, dates, owners, counts), never audit content: for
    free text, grades and reasons, name the fields in `content_changed` instead. The summary is
    written by the service and must not quote content either."""
    content = list(dict.fromkeys(content_changed))
    leaked = set(content) & (set(before or {}) | set(after or {}))
    if leaked:
        raise ValueError(f"Content fields must not be logged by value: {sorted(leaked)}")
    return Event.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=_target_id(target),
        summary=summary[:300],
        before=before or {},
        after=after or {},
        content_changed=content,
    )


def refused_request_record(*, user: Any, method: str, path: str, status: int) -> None:
    """Record that signed-in `user` asked for `path` and was answered 403 or 404. The path
    only: the caller never passes a query string."""
    RefusedRequest.objects.create(user=user, method=method[:8], path=path[:300], status=status)


def failed_sign_in_record(
    *, username: str, ip_address: str | None, locked_out: bool, reason: str = ""
) -> None:
    """Record a sign-in that did not succeed, naming the login the username belongs to, and
    why when it was not a wrong password (e.g. single sign-on refused)."""
    try:
        address = str(ipaddress.ip_address(ip_address)) if ip_address else None
    except ValueError:
        address = None
    username = username[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    FailedSignIn.objects.create(
        username=username,
        user=user,
        ip_address=address,
        locked_out=locked_out,
        reason=reason[:80],
    )
