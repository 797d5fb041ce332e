"""`auditloop worker`: run background work (uploaded imports, cycle reviews) from the database
queue, recording a heartbeat so that the health endpoint and an import's progress page know a
worker is alive.

It is django-tasks-db's `db_worker` (same options: `--interval`, `--batch`, `--max-tasks`,
`--queue-name`, `--worker-id`), never reloading on code changes, plus the heartbeat: one row in
`core.WorkerHeartbeat`, written at start and every AUDITLOOP_WORKER_HEARTBEAT_SECONDS from a
thread of its own (so a long import does not silence it), and removed when the worker stops on
SIGTERM or Ctrl+C. Any number of workers may run against one database: each task is claimed
under a row lock (PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`; SQLite's exclusive write
lock), so no two workers take the same task.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from auditloop.core.services import (
    worker_heartbeat_beat,
    worker_heartbeat_end,
    worker_heartbeats_forget,
)

logger = logging.getLogger(__name__)

# A worker not seen for a day died without saying so: its row only clutters the table.
FORGET_AFTER = timedelta(days=1)


class Heartbeat:
    """Beats from a daemon thread with its own database connection until stopped."""

    def __init__(self, *, worker_id: str, interval: float) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def beat(self) -> None:
        try:
            worker_heartbeat_beat(
                worker_id=self.worker_id, host=self.host, pid=self.pid, started=self.started
            )
        except DatabaseError:
            # SQLite locked by a long import, or the database briefly away: the next beat
            # tries again, and the stale time allows for a missed one or two.
            logger.warning("Worker %s could not record its heartbeat", self.worker_id)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.beat()
        finally:
            connection.close()

    def start(self) -> None:
        self.beat()
        try:
            worker_heartbeats_forget(older_than=FORGET_AFTER)
        except DatabaseError:
            logger.warning("Worker %s could not forget old heartbeats", self.worker_id)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
        # SIGTERM stops db_worker by raising SystemExit wherever its loop happens to be, which
        # can be halfway into opening a transaction: the main thread's connection may then hold
        # SQLite's write lock in a transaction nobody will commit, and a delete sent on it would
        # be rolled back when the process ends. Close it, and remove the heartbeat on a
        # connection of its own.
        connection.close()
        ending = threading.Thread(target=self._end, name="heartbeat-end")
        ending.start()
        ending.join()

    def _end(self) -> None:
        try:
            worker_heartbeat_end(worker_id=self.worker_id)
        except DatabaseError:
            logger.warning("Worker %s could not remove its heartbeat", self.worker_id)
        finally:
            connection.close()


class Command(DatabaseWorkerCommand):
    help = (
        "Run background work (imports, cycle reviews) from the database queue, with a "
        "heartbeat for the health endpoint. Run one or more beside the web servers."
    )
    # The system checks take seconds (every URL, model and template) and a worker restarted
    # by its supervisor should be taking work at once; `auditloop check --deploy` is the
    # deployment's step, and the web servers do not run them either.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        # Reloading would run the work in a child process the heartbeat knows nothing of.
        options["reload"] = False
        heartbeat = Heartbeat(
            worker_id=options["worker_id"], interval=settings.AUDITLOOP_WORKER_HEARTBEAT_SECONDS
        )
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            # Also on SIGTERM: db_worker leaves through SystemExit, which passes through here.
            heartbeat.stop()
