"""Who holds a running import: a lock its process keeps from before the run says "running"
until after the run's last write, and that the operating system or the database lets go of
when that process ends, however it ends.

A run records the lock's key (`ImportRun.holder`). A run still "running" whose key nobody holds
was interrupted: its process was killed, its server stopped or its machine lost, and its one
transaction rolled back, so none of its changes were kept.

- On PostgreSQL the lock is a session advisory lock of the import's own connection. The
  database server holds it, so every web server and worker sees the same answer, and the
  server lets it go the moment that connection ends (a killed process's connection closes; a
  lost machine's is dropped when TCP gives up on it). No clock, heartbeat or lease is
  involved, so a long import is never taken for a dead one, however slow it is. (A pooler in
  transaction mode, such as PgBouncer's, would break session locks: connect directly.)
- On SQLite every process using the database is on one machine, so the lock is an flock on a
  file named for the key in AUDITLOOP_IMPORT_LOCK_DIR, which the kernel lets go of when the
  process ends. A process id is not enough: a restarted container gives its new worker the
  same small process ids. A killed process leaves its empty file behind; the next import
  removes the files nobody holds.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection

# The first of PostgreSQL's two advisory lock keys, for imports ('IMPR'); the second is the
# run's random key.
ADVISORY_CLASS = 0x494D5052
KEY_LIMIT = 2**31 - 1


def _lock_dir() -> Path:
    return Path(settings.AUDITLOOP_IMPORT_LOCK_DIR)


def _lock_file(key: int) -> Path:
    return _lock_dir() / f"import-{key}.lock"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def import_held() -> Iterator[int]:
    """Hold a new import lock while the block runs; yields its key, for the run to record."""
    if _postgres():
        with _advisory_lock() as key:
            yield key
    else:
        with _file_lock() as key:
            yield key


@contextmanager
def _advisory_lock() -> Iterator[int]:
    with connection.cursor() as cursor:
        while True:
            key = secrets.randbelow(KEY_LIMIT) + 1
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_CLASS, key])
            if cursor.fetchone()[0]:
                break
    try:
        yield key
    finally:
        # A connection already gone took the lock with it.
        with suppress(Exception), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_CLASS, key])


@contextmanager
def _file_lock() -> Iterator[int]:
    _lock_dir().mkdir(parents=True, exist_ok=True)
    _abandoned_lock_files_remove()
    while True:
        key = secrets.randbelow(KEY_LIMIT) + 1
        path = _lock_file(key)
        file = path.open("a+b")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            continue
        if not _same_file(path, file):
            # Removed as abandoned between our opening and locking it: a lock nobody could
            # find. Take another.
            file.close()
            continue
        break
    try:
        yield key
    finally:
        # Removed while still held, so anyone who opened it before sees it free only once
        # the run's last write is committed.
        with suppress(FileNotFoundError):
            os.unlink(path)
        file.close()


def _same_file(path: Path, file: IO[bytes]) -> bool:
    """Whether `path` still names the open `file`."""
    try:
        return os.stat(path).st_ino == os.fstat(file.fileno()).st_ino
    except FileNotFoundError:
        return False


def _abandoned_lock_files_remove() -> int:
    """Remove the lock files nobody holds: a killed import's process never removed its own
    (the kernel let go of its lock, but the empty file stayed). Each is locked before it is
    removed, so a live import's is never touched; one that a new import has opened but not
    yet locked is removed from under it, and that import sees its file gone and takes
    another. Returns how many were removed."""
    removed = 0
    for path in _lock_dir().glob("import-*.lock"):
        try:
            file: IO[bytes] = path.open("rb")
        except FileNotFoundError:
            continue
        with file:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # held: a live import's
            if _same_file(path, file):
                with suppress(FileNotFoundError):
                    os.unlink(path)
                    removed += 1
    return removed


def imports_held(keys: Iterable[int]) -> set[int]:
    """Which of these import locks a live process holds now."""
    wanted = {key for key in keys if key}
    if not wanted:
        return set()
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                "AND objsubid = 2 AND granted AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())",
                [ADVISORY_CLASS],
            )
            return wanted & {int(row[0]) for row in cursor.fetchall()}
    return {key for key in wanted if _file_held(key)}


def _file_held(key: int) -> bool:
    try:
        file: IO[bytes] = _lock_file(key).open("rb")
    except FileNotFoundError:
        return False
    with file:
        try:
            fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(file, fcntl.LOCK_UN)
        return False
