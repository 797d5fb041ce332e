"""Requests at the same moment, for the optimistic-locking tests: each in its own thread with
its own database connection, released together by a barrier.

Use it in a transactional test (`transactional_db`), so what the test made is committed and
the threads see it. On SQLite the in-memory test database is copied to a file for the block
(threads cannot share the in-memory one for writing), with the project's SQLite options:
every transaction takes the write lock when it begins, so writers queue as in production."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

type AtOnce = Callable[..., list[Any]]


def _use(wrapper: type[BaseDatabaseWrapper], settings_dict: dict[str, Any] | None) -> None:
    """Make `settings_dict` this thread's default database (None: leave it as it is)."""
    if settings_dict is not None:
        connections["default"] = wrapper(settings_dict, alias="default")


@contextmanager
def shared_database(folder: Path) -> Iterator[AtOnce]:
    """Yields `at_once(*calls)`: runs every call in its own thread, all released together,
    and returns their results in order."""
    settings_dict: dict[str, Any] | None = None
    original = connections["default"]
    wrapper = type(original)
    if connection.vendor == "sqlite":
        path = folder / "shared.sqlite3"
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        # The in-memory database is copied in rollback-journal mode. Switching the copy to WAL
        # takes an exclusive lock that SQLite does not wait for, so two threads connecting at
        # once (each connection runs the settings' `PRAGMA journal_mode=WAL`) could refuse one
        # with "database is locked". Switch it here, before any thread connects, as a
        # production database is switched by its first connection and stays so.
        copy.execute("PRAGMA journal_mode=WAL")
        copy.close()
        settings_dict = {**connection.settings_dict, "NAME": str(path)}
        _use(wrapper, settings_dict)

    def at_once(*calls: Callable[[], Any]) -> list[Any]:
        barrier = threading.Barrier(len(calls))

        def run(call: Callable[[], Any]) -> Any:
            _use(wrapper, settings_dict)
            try:
                barrier.wait(timeout=60)
                return call()
            finally:
                connections["default"].close()

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, calls))

    try:
        yield at_once
    finally:
        if settings_dict is not None:
            connections["default"].close()
            connections["default"] = original
