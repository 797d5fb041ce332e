"""The access log: one row for every audit or case file a response shows, and to whom.

There is one way in, `access_shown`. Views, selectors and get-for-user helpers call it for
each child's audit or case file they put on a page (an action or an unsafe-child flag is
logged as a read of its audit). Inside a request, `AccessLogMiddleware` collects the reads
and writes them once, after the page is rendered and before it is sent, in one INSERT:
a page costs one extra query however many rows it lists. Outside a request (a management
command, a test calling a helper) each call writes at once, the same way.

Writing the log never turns a read into an error page. On SQLite a long import in the worker
can hold the write lock; the insert is tried again once, briefly, and if the database still
refuses, the reads go to a spool file on the server's disk (one JSON line each, readable by
the server's user only), the server log says how many and which file (never which child),
and the next request whose own reads are written puts the oldest spool file into the
database; `auditloop access-log-replay` does the same for every file. A read is only lost if
both the database and the disk refuse it, and then the server log says so, at ERROR.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, models, transaction
from django.utils import timezone

from auditloop.core.models import AccessLog

logger = logging.getLogger("auditloop.access_log")

# Tries at the database before the reads go to the spool. SQLite already waits for its busy
# timeout inside each try, so a second try after a short pause is enough to ride out a
# commit; anything longer belongs in the spool, not in the reader's wait for the page.
WRITE_ATTEMPTS = 2
RETRY_PAUSE_SECONDS = 0.1
# A file claimed for replay by a process that then died is taken back after this long.
STALE_CLAIM_SECONDS = 600


class Purpose(StrEnum):
    """How the audit or case file was shown."""

    VIEW = "view"  # its own page
    WRITE = "write"  # opened to change it
    LISTED = "listed"  # named on a list
    SEARCH = "search"  # found by a search on the LA child ID
    API = "api"  # returned by the JSON API
    ESCALATION = "escalation"  # an unsafe-child flag's page: the audit it was raised on
    ESCALATION_LISTED = "escalation listed"  # a flag on a list of flags
    FLAGGED_AUDIT = "flagged audit"  # what a flag's recipients need to act on it, in progress
    ACTION = "action"  # an action's page: the audit it came from
    ACTION_LISTED = "action listed"  # an action on a list of actions
    PICK_LIST = "pick list"  # a cycle's list of chosen cases
    MONTH_PLAN = "month plan"  # a month's plan, naming the cases nobody could take
    SAMPLE_DRAW = "sample draw"  # a sample draw's page, naming the cases it chose
    EVENT_LOG = "event log"  # an event log row, read by an administrator
    MODERATION = "moderation"  # a moderation's page: the audit it moderates
    GRADE_HISTORY = "grade history"  # an audit's grade history (the auditor's, moderated, agreed)
    REVISIT = "revisit"  # the earlier audit's answers, shown beside its revisit
    MODERATION_LISTED = "moderation listed"  # an audit on a list of moderations
    MODERATION_SAMPLE = "moderation sample"  # a moderation sample, naming the audits it took
    CALIBRATION = "calibration"  # a calibration exercise's page: its case and the audits compared
    MEETING = "moderation meeting"  # a moderation meeting's page: the audits discussed
    FEEDBACK = "feedback"  # a worker's feedback page: their audits, for them or their manager
    LEARNING_POINTS = "learning points"  # an audit's learning points, on their own pages
    KEY_MESSAGE = "key message"  # learning points drawn, redacted, into a key message's examples
    THEME_SUGGESTION = "theme suggestion"  # learning points shown, redacted, as samples
    INSPECTION_PACK = "inspection pack"  # named (with its case's ID) in an inspection pack
    ACCESS_REVIEW = "access review"  # a review of who has read the child's records
    UNUSUAL_READING = "unusual reading"  # named among a reader's reads of a flagged day
    LEGAL_HOLD = "legal hold"  # a case's ID on the legal holds (retention) pages
    SUBJECT_ACCESS = "subject access"  # exported in full in answer to a subject access request


@dataclass(frozen=True)
class Read:
    """One read waiting to be written."""

    user_id: int
    target_type: str
    target_id: str
    purpose: str
    at: datetime.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "purpose": self.purpose,
            "at": self.at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Read:
        return cls(
            user_id=int(data["user_id"]),
            target_type=str(data["target_type"]),
            target_id=str(data["target_id"]),
            purpose=str(data["purpose"]),
            at=datetime.datetime.fromisoformat(data["at"]),
        )


# The reads of the request being answered, keyed so that the same object shown twice for
# the same purpose is one row. None outside a request: reads are then written at once.
_pending: ContextVar[dict[tuple[int, str, str, str], Read] | None] = ContextVar(
    "access_log_pending", default=None
)


def access_shown(*, user: Any, targets: Iterable[models.Model], purpose: Purpose) -> None:
    """Record that `user` was shown each of `targets` (audits or case files) for `purpose`.

    Inside a request this costs no query: the reads are written once, at the end of the
    response. `user` must be signed in; a read by nobody is a bug in the caller.
    """
    user_id = getattr(user, "pk", None)
    if user_id is None or not getattr(user, "is_authenticated", False):
        raise ValueError("Only a signed-in user's reads can be logged.")
    at = timezone.now()
    reads = [
        Read(
            user_id=user_id,
            target_type=target._meta.label_lower,
            target_id=str(getattr(target, "public_id", None) or target.pk),
            purpose=str(purpose),
            at=at,
        )
        for target in targets
    ]
    recording = _recording.get()
    if recording is not None:
        # Inside a kept part: its caller logs what it recorded, on this show and every later
        # one (`access_reshown`), so the log is the same whether the part was kept or not.
        recording.extend(ShownRead(r.target_type, r.target_id, r.purpose) for r in reads)
        return
    _record(reads)


def _record(reads: Sequence[Read]) -> None:
    pending = _pending.get()
    if pending is None:
        access_log_write(reads)
        return
    for read in reads:
        pending.setdefault((read.user_id, read.target_type, read.target_id, read.purpose), read)


class ShownRead(NamedTuple):
    """What a read names but its reader and time: kept with a part of a page, and logged
    again (`access_reshown`) each time the part is shown."""

    target_type: str
    target_id: str
    purpose: str


# The reads of a kept part being drawn (`reads_recorded`); None elsewhere.
_recording: ContextVar[list[ShownRead] | None] = ContextVar("access_log_recording", default=None)


@contextmanager
def reads_recorded() -> Iterator[list[ShownRead]]:
    """Inside the block, `access_shown` logs nothing: it adds each read to the list yielded,
    for the caller to log with `access_reshown` (also if the block fails: what was fetched
    for the reader counts as read)."""
    recorded: list[ShownRead] = []
    token = _recording.set(recorded)
    try:
        yield recorded
    finally:
        _recording.reset(token)


def access_reshown(*, user: Any, reads: Iterable[ShownRead]) -> None:
    """Log `reads` (recorded by `reads_recorded`) as `user`'s, now: one row each, as the
    `access_shown` calls that recorded them would have written."""
    user_id = getattr(user, "pk", None)
    if user_id is None or not getattr(user, "is_authenticated", False):
        raise ValueError("Only a signed-in user's reads can be logged.")
    recording = _recording.get()
    if recording is not None:
        recording.extend(reads)  # a kept part inside a kept part
        return
    at = timezone.now()
    _record([Read(user_id, read.target_type, read.target_id, read.purpose, at) for read in reads])


@contextmanager
def reads_collected() -> Iterator[None]:
    """Collect the reads recorded inside the block and write them once, at its end, even if
    the block fails (what was fetched for the reader counts as read)."""
    pending: dict[tuple[int, str, str, str], Read] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        access_log_write(list(pending.values()))


def access_log_write(reads: Sequence[Read]) -> None:
    """Write `reads` in one insert; never raises. If the database refuses them, they go to
    the spool; if the disk refuses them too, the server log says how many were lost."""
    if not reads:
        return
    try:
        _insert_retrying(reads)
    except DatabaseError as db_error:
        try:
            spooled = _spool(reads)
        except OSError as disk_error:
            logger.error(
                "Access log: %d read(s) by user %s could NOT be recorded: the database "
                "refused them (%s) and so did the spool (%s).",
                len(reads),
                reads[0].user_id,
                _describe(db_error),
                disk_error,
            )
        else:
            logger.warning(
                "Access log: the database refused the write (%s); %d read(s) kept in the "
                "spool file %s and written when the database allows.",
                _describe(db_error),
                len(reads),
                spooled.name,
            )
        return
    # The database takes writes again: bring in the oldest reads it refused before.
    access_log_replay(limit=1)


# Rows per INSERT statement: five parameters a row, well inside SQLite's limit of 32,766.
INSERT_BATCH_ROWS = 500
_INSERT_COLUMNS = ("user", "target_type", "target_id", "purpose", "at")


def _insert_sql(rows: int) -> str:
    """One INSERT of `rows` reads, written out rather than `bulk_create`'s: building that
    statement field by field, and reading back the new rows' ids nobody uses, cost 1.3 ms
    for a list page's 25 reads against 0.2-0.4 ms (SQLite, large council), and the access
    log was 15% of a loaded server's time (py-spy, 20 users browsing)."""
    quote = connection.ops.quote_name
    meta = AccessLog._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in _INSERT_COLUMNS)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * rows)
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608


def _insert_batches(reads: Sequence[Read]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(reads), INSERT_BATCH_ROWS):
            batch = reads[start : start + INSERT_BATCH_ROWS]
            params: list[Any] = []
            for read in batch:
                params += [read.user_id, read.target_type, read.target_id, read.purpose]
                params.append(adapt(read.at))
            cursor.execute(_insert_sql(len(batch)), params)


def _insert(reads: Sequence[Read]) -> None:
    if not connection.in_atomic_block and len(reads) <= INSERT_BATCH_ROWS:
        # At the end of a request: one statement, its own transaction.
        _insert_batches(reads)
    else:
        # Several statements in one transaction; or, inside a caller's transaction, in a
        # savepoint, so that a refusal cannot break it.
        with transaction.atomic():
            _insert_batches(reads)


def _insert_retrying(reads: Sequence[Read]) -> None:
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            _insert(reads)
        except OperationalError:
            # "database is locked", or a connection lost: worth one more try. Others (a
            # constraint refused) would fail the same way again.
            if attempt == WRITE_ATTEMPTS:
                raise
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
            time.sleep(RETRY_PAUSE_SECONDS)
        else:
            return


def _describe(error: DatabaseError) -> str:
    """The error for the server log. Only an operational error's message is given: it is the
    database's own words about locks and connections, never a row's values."""
    if isinstance(error, OperationalError):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__


def spool_directory() -> Path:
    return Path(settings.ACCESS_LOG_SPOOL_DIR)


def _spool(reads: Sequence[Read]) -> Path:
    """Write `reads` to a new file in the spool, whole or not at all (written under a
    temporary name, flushed to disk, then renamed). Only the server's user can read it."""
    directory = spool_directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{os.getpid()}-{uuid.uuid4().hex}"
    partial = directory / f".{name}.partial"
    final = directory / f"{name}.jsonl"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            for read in reads:
                out.write(json.dumps(read.as_json()) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    return final


def spooled_files() -> list[Path]:
    """The spool files waiting to be written, oldest first: new ones, and ones claimed by a
    replay that has not finished within STALE_CLAIM_SECONDS (its process died)."""
    directory = spool_directory()
    if not directory.is_dir():
        return []
    stale_before = time.time() - STALE_CLAIM_SECONDS
    found = []
    for path in directory.iterdir():
        waiting = path.suffix == ".jsonl"
        abandoned = ".claimed-" in path.name and path.stat().st_mtime < stale_before
        if waiting or abandoned:
            found.append(path)
    return sorted(found, key=lambda path: path.name)


def _stem(path: Path) -> str:
    """A spool file's name without what its state adds (".jsonl", ".claimed-<pid>")."""
    return path.name.split(".")[0]


def access_log_replay(*, limit: int | None = None) -> int:
    """Write spooled reads to the database, oldest file first, at most `limit` files; return
    how many reads were written. A file is claimed by renaming it, so two processes never
    write the same file; one the database cannot take yet is put back for a later try."""
    written = 0
    for path in spooled_files()[:limit]:
        stem = _stem(path)
        claimed = path.with_name(f"{stem}.claimed-{os.getpid()}")
        try:
            path.rename(claimed)
            os.utime(claimed)
        except FileNotFoundError:
            continue  # another process took it
        try:
            reads = [
                Read.from_json(json.loads(line))
                for line in claimed.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
        except (ValueError, KeyError, TypeError) as exc:
            claimed.rename(path.with_name(f"{stem}.unreadable"))
            logger.error(
                "Access log: spool file %s.jsonl cannot be read (%s); kept as %s.unreadable "
                "for an operator.",
                stem,
                type(exc).__name__,
                stem,
            )
            continue
        try:
            _insert(reads)
        except OperationalError as exc:
            claimed.rename(path.with_name(f"{stem}.jsonl"))
            logger.warning(
                "Access log: spool file %s.jsonl not written yet (%s).", stem, _describe(exc)
            )
            break
        except DatabaseError as exc:
            claimed.rename(path.with_name(f"{stem}.refused"))
            logger.error(
                "Access log: the database refused spool file %s.jsonl (%s); kept as "
                "%s.refused for an operator.",
                stem,
                _describe(exc),
                stem,
            )
            continue
        claimed.unlink()
        written += len(reads)
        logger.info("Access log: %d spooled read(s) written from %s.jsonl.", len(reads), stem)
    return written
