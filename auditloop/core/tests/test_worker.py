"""`auditloop worker`: it runs the queued work, says it is alive while it runs, and any number
of them share one queue without running a task twice."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from auditloop.core.models import Event, WorkerHeartbeat
from auditloop.core.tests.worker_tasks import RAN, task_record_run

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS


# The worker closes its connection when it ends: a transactional test survives that.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_work_with_its_heartbeat_and_removes_it_when_it_stops(
    database_tasks: None,
) -> None:
    result = task_record_run.enqueue(1)
    call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "w-one", verbosity=0)
    ran = DBTaskResult.objects.get(id=result.id)
    assert ran.status == "SUCCESSFUL"
    assert ran.worker_ids == ["w-one"]
    # While the task ran, the worker's heartbeat was there; once it stopped, it is gone.
    assert ran.return_value == 1
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_forgets_workers_not_seen_for_a_day(database_tasks: None) -> None:
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(days=2)
    WorkerHeartbeat.objects.create(
        worker_id="died", host="old", pid=1, started=long_ago, seen=long_ago
    )
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0, stdout=io.StringIO())
    assert not WorkerHeartbeat.objects.filter(worker_id="died").exists()


def _start_worker(database_url: str, worker_id: str, lines: queue.Queue[tuple[str, str]]) -> Any:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("AUDITLOOP_TASKS_IMMEDIATE", None)
    argv = [sys.executable, "-m", "auditloop.cli", "worker", "--no-startup-delay"]
    argv += ["--interval", "0.05", "--worker-id", worker_id, "--verbosity", "1"]
    process = subprocess.Popen(  # noqa: S603 (our own command, our own arguments)
        argv,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put((worker_id, line))
        lines.put((worker_id, "(ended)"))

    threading.Thread(target=read, daemon=True).start()
    return process


def _next_line(lines: queue.Queue[tuple[str, str]], log: list[str]) -> tuple[str, str]:
    worker_id, line = lines.get(timeout=120)  # a stuck worker fails the test, never hangs it
    log.append(f"{worker_id}: {line.rstrip()}")
    assert line != "(ended)", "a worker ended early:\n" + "\n".join(log)
    return worker_id, line


def test_two_workers_on_one_queue_run_every_task_exactly_once(
    shared_database_url: str, database_tasks: None
) -> None:
    lines: queue.Queue[tuple[str, str]] = queue.Queue()
    log: list[str] = []
    workers = [_start_worker(shared_database_url, name, lines) for name in ("w-a", "w-b")]
    try:
        started: set[str] = set()
        while len(started) < 2:
            worker_id, line = _next_line(lines, log)
            if "Starting worker" in line:
                started.add(worker_id)
        assert WorkerHeartbeat.objects.count() == 2
        # Both are polling the queue when the whole batch appears in it at once.
        tasks = 60
        with transaction.atomic():
            results = [task_record_run.enqueue(n) for n in range(tasks)]
        finished = 0
        while finished < tasks:
            _, line = _next_line(lines, log)
            if "state=SUCCESSFUL" in line or "state=FAILED" in line:
                finished += 1
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(timeout=60)
    ran = Counter(Event.objects.filter(verb=RAN).values_list("target_id", flat=True))
    assert ran == Counter(str(n) for n in range(tasks))  # each task once, none twice
    rows = DBTaskResult.objects.filter(id__in=[result.id for result in results])
    assert {row.status for row in rows} == {"SUCCESSFUL"}
    assert all(len(row.worker_ids) == 1 for row in rows)
    # Both workers took part, so the claims really raced.
    by_worker = Counter(row.worker_ids[0] for row in rows)
    assert set(by_worker) == {"w-a", "w-b"}, by_worker
    # Stopped cleanly, each removed its heartbeat.
    assert [process.returncode for process in workers] == [0, 0]
    assert not WorkerHeartbeat.objects.exists()
