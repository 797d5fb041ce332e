"""Writing the event log: every service calls event_record once per change. (Reads go to the
access log through auditloop.core.accesslog.access_shown.)"""

from __future__ import annotations

from typing import Any

from django.db import models

from auditloop.core.models import Event


def _target_id(target: models.Model) -> str:
    return str(getattr(target, "public_id", None) or target.pk)


def event_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Record one change. `actor` is a User, or None for the system."""
    return Event.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=_target_id(target),
        summary=summary[:300],
        before=before or {},
        after=after or {},
    )
