"""Writes every app shares: telling people things, in the product and by email."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from auditloop.core.events import event_record
from auditloop.core.models import Notification, WorkerHeartbeat

logger = logging.getLogger(__name__)


class Recipient(Protocol):
    """Whom a notice goes to: a member of staff (`accounts.StaffMember`), named here by shape so
    that core needs no other app."""

    @property
    def pk(self) -> Any: ...

    @property
    def user_id(self) -> int | None: ...

    @property
    def email(self) -> str | None: ...


def _email(subject: str, body: str, recipients: list[str]) -> None:
    """One email to each recipient, over one connection: never one email to all of them, which
    would show every recipient everyone else's address."""
    try:
        send_mass_mail([(subject, body, None, [address]) for address in recipients])
    except OSError:
        # The in-app notification stands; the mail server's failure is logged without content.
        logger.exception("Could not send a notification email to %d recipients", len(recipients))


def notification_send(
    *,
    recipients: Iterable[Recipient],
    message: str,
    url: str = "",
    urgent: bool = False,
    email_subject: str = "",
) -> list[Notification]:
    """Tell each recipient with a login, in the product and (when `email_subject` is given) by
    email through Django's mail backend, once the surrounding transaction commits.

    The message must never carry a child's ID or name: emails leave the council's systems.
    """
    notes: list[Notification] = []
    emails: list[str] = []
    seen: set[int] = set()
    for staff in recipients:
        if staff.pk in seen:
            continue
        seen.add(staff.pk)
        if staff.user_id is not None:
            notes.append(
                Notification(
                    recipient_id=staff.user_id, message=message[:300], url=url, is_urgent=urgent
                )
            )
        if staff.email:
            emails.append(staff.email)
    Notification.objects.bulk_create(notes)
    if email_subject and emails:
        link = f"{settings.SITE_URL}{url}" if url else settings.SITE_URL
        body = f"{message}\n\nOpen auditloop to see it: {link}\n"
        transaction.on_commit(lambda: _email(email_subject, body, emails))
    return notes


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: Any) -> Notification:
    """The recipient marks one notification as read. Marking it twice changes nothing."""
    if notification.recipient_id != by.pk:
        raise PermissionDenied("Only its recipient can mark a notification as read.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        event_record(
            actor=by,
            verb="notification.read",
            target=notification,
            after={"read_at": notification.read_at.isoformat()},
        )
    return notification


@transaction.atomic
def notifications_mark_read_by_url(*, url: str) -> int:
    """Mark every unread notification that opens `url` as read, whoever it was sent to; how many.

    For a service whose own change answers those notices (acknowledging a flag answers every
    "acknowledge it today"): that service's event records the change, so this writes none.
    """
    if not url:
        return 0
    return Notification.objects.filter(url=url, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, by: Any) -> int:
    """The signed-in person marks every unread notification of theirs as read; how many."""
    now = timezone.now()
    count = Notification.objects.filter(recipient_id=by.pk, read_at__isnull=True).update(
        read_at=now
    )
    if count:
        event_record(
            actor=by,
            verb="notification.all_read",
            target=by,
            summary=f"{count} notifications marked as read.",
            after={"read_at": now.isoformat(), "count": count},
        )
    return count


# --- Background workers' heartbeats ------------------------------------------------------
# A heartbeat changes nobody's record, so it writes no event row: it is the worker's own
# state, kept in the database because every web server and worker shares that.


def worker_heartbeat_beat(*, worker_id: str, host: str, pid: int, started: datetime) -> None:
    """Record that this worker is alive now (its row is made on the first beat)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": host, "pid": pid, "started": started, "seen": timezone.now()},
    )


def worker_heartbeat_end(*, worker_id: str) -> None:
    """A worker stopping cleanly: it is no longer counted as alive, at once."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_heartbeats_forget(*, older_than: timedelta) -> int:
    """Forget workers not seen for this long (ones that died without saying so)."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen__lt=timezone.now() - older_than).delete()
    return deleted
