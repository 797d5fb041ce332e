"""What every part of the loop shares: opaque ids, the event log, the access log, notifications."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class PublicIdModel(models.Model):
    """A model whose rows appear in URLs by an opaque UUID, never by their sequential id."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class Event(models.Model):
    """One row per change: who did what to which object, when, with the before and after.

    Audit content (free text, grades, reasons) is never copied here: `content_changed` names
    the content fields a change touched, and the record itself holds what they say, for those
    entitled to read it. `before` and `after` hold only facts such as status, dates and owners.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    content_changed = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type} {self.target_id}"


class AccessLog(models.Model):
    """One row per read of a child's audit or case file."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=64, default="view")
    # When the read happened, set by access_shown: a row written late (from the spool, after
    # the database was locked) keeps the time of the read, not of the write.
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.target_type} {self.target_id}"


class RefusedRequest(models.Model):
    """One row per page or record a signed-in person asked for and was refused (403) or told
    was not found (404): the trail of someone looking where they should not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8)
    # The path only, never the query string: a search may carry a child's ID. Paths name
    # records by opaque ids alone (the URL walk test holds every route to that).
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} refused {self.status} {self.method} {self.path}"


class FailedSignIn(models.Model):
    """One row per sign-in that did not succeed: the username as typed, the login it names if
    any, where it came from, and whether the lockout refused it."""

    username = models.CharField(max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    locked_out = models.BooleanField(default=False)
    # Why, when it was not a wrong username or password (single sign-on's refusals).
    reason = models.CharField(max_length=80, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"failed sign-in as {self.username}"


class Notification(PublicIdModel):
    """An in-app message to one person, e.g. an unsafe-child flag."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    is_urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Acknowledging a flag finds every notice that points at it, for all its recipients.
        indexes = [models.Index(fields=["url"], name="notification_url_idx")]

    def __str__(self) -> str:
        return self.message


class WorkerHeartbeat(models.Model):
    """One row per running background worker (`auditloop worker`): when it last said it was
    alive. Several workers, on one server or many, share the database's queue; the health
    endpoint and the import progress page count those seen lately. A worker that stops
    cleanly removes its row; one that dies leaves it to go stale."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField()
    seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.host}"


class DataVersion(models.Model):
    """One row (id 1): a number every web server and worker reads, raised after any committed
    write to a table that figures may be drawn from (`auditloop.core.dataversion`). Cached
    figures are kept under the number they were computed at, so a raise makes every copy
    cached before it unreachable, in every process at once."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.number}"


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of obj as JSON-safe values, for an event's before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model) or (
            value is not None and not isinstance(value, (str, int, float, bool))
        ):
            value = str(value)
        out[name] = value
    return out
