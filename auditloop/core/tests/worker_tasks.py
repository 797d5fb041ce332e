"""Tasks for the worker tests: each records that it ran, in which process, as an event row."""

from __future__ import annotations

import os

from django.tasks import task

from auditloop.core.models import Event, WorkerHeartbeat

RAN = "test.task_ran"


@task()
def task_record_run(number: int) -> int:
    """Record one run of task `number` by this process; answer how many workers have a
    heartbeat row at that moment."""
    Event.objects.create(
        verb=RAN, target_type="test", target_id=str(number), summary=str(os.getpid())
    )
    return WorkerHeartbeat.objects.count()
