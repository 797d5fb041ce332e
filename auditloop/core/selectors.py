"""Reads every app shares: whether background work has a worker to run it."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from auditloop.core.models import WorkerHeartbeat


def tasks_wait_for_a_worker() -> bool:
    """Whether background work waits in the queue for `auditloop worker` (the database
    backend), rather than running inside the request that asks for it."""
    return isinstance(task_backends["default"], DatabaseBackend)


def workers_alive() -> list[WorkerHeartbeat]:
    """The workers whose last heartbeat is recent enough (AUDITLOOP_WORKER_STALE_SECONDS)."""
    since = timezone.now() - timedelta(seconds=settings.AUDITLOOP_WORKER_STALE_SECONDS)
    return list(WorkerHeartbeat.objects.filter(seen__gte=since))


def worker_last_seen() -> WorkerHeartbeat | None:
    """The most recent heartbeat of any worker, alive or not."""
    return WorkerHeartbeat.objects.order_by("-seen").first()
