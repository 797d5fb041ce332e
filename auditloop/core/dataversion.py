"""The data version: one number, shared by every web server and worker through the database,
raised after any committed write that figures could be drawn from; and a cache of figures
kept under it.

Every database connection carries an execute wrapper (`_watch`, installed when the connection
is made) that sees every statement the product sends through Django, ORM or raw cursor alike:
`save()`, `QuerySet.update()`, `bulk_create`, a raw `INSERT ... SELECT`, a migration's data
fix. A statement that writes a table outside `UNRELATED_TABLES` (or whose tables it cannot
tell: DDL, an unknown verb) marks its transaction as having changed figures, once:

- on PostgreSQL, an `on_commit` hook raises the number after the transaction commits, in a
  statement of its own (autocommit), so that no transaction holds the counter's row lock and
  a long import never blocks another writer on it;
- on SQLite, the number is raised at once, inside the transaction: a SQLite writer already
  holds the database's one write lock, so this blocks nobody, and the raise commits (or rolls
  back) with the data, with no moment between the two;
- a statement in autocommit raises it straight after.

A reader reads the number before it computes: if it read the old number, it stores figures at
least as fresh as that number under it; every reader after the raise computes again. A write
in a transaction that rolls back (or in a savepoint rolled back) raises nothing. A connection
with writes of its own not yet committed never uses the cache: it reads what others cannot.

Writes the wrapper cannot see (psql, a process killed between its commit and the raise on
PostgreSQL, a COPY sent on the driver's own cursor) are bounded by the cache's lifetime,
`AUDITLOOP_FIGURE_CACHE_SECONDS`; code that writes past Django calls `data_changed` itself.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

logger = logging.getLogger("auditloop.data_version")

VERSION_TABLE = "core_dataversion"
CACHE_ALIAS = "figures"

# Tables that no figure is drawn from and that reads write (sessions, sign-in throttling and
# second factors, the logs of reads and refusals, notices, a token's last use, the worker's
# heartbeat and task queue). Writing them leaves the number alone. Every other table, one
# added later included, raises it: a new table is assumed to feed figures until listed here.
UNRELATED_TABLES = frozenset(
    {
        VERSION_TABLE,
        "django_session",
        "accounts_signedinsession",
        "accounts_passkey",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
        "otp_static_staticdevice",
        "otp_static_statictoken",
        "otp_totp_totpdevice",
        "core_accesslog",
        "core_refusedrequest",
        "core_failedsignin",
        "core_notification",
        "core_workerheartbeat",
        "api_apitoken",
        "django_tasks_database_dbtaskresult",
    }
)

# Columns of tables figures are drawn from that no figure reads, and that are written alone on
# reads: signing in sets the login's last sign-in time (`update_last_login`), and a raise on
# each of a council's sign-ins would leave little in the cache. Only a statement that sets one
# of these and nothing else is left out.
UNRELATED_COLUMNS = {"accounts_user": frozenset({"last_login"})}

# Statements that change no table's rows. Anything else is a write, of the tables it names
# where it names them (INSERT, UPDATE, DELETE, REPLACE, a WITH that holds one), else of
# tables unknown (CREATE, ALTER, DROP, TRUNCATE, COPY, an EXPLAIN ANALYZE that runs one).
_READ_VERBS = frozenset(
    {
        "SELECT",
        "SAVEPOINT",
        "RELEASE",
        "ROLLBACK",
        "BEGIN",
        "COMMIT",
        "END",
        "SET",
        "SHOW",
        "PRAGMA",
        "VALUES",
        "ANALYZE",
        "VACUUM",
        "RESET",
        "DISCARD",
    }
)
_DML_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT"})
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_VERB = re.compile(r"[A-Za-z]+")
_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
_TARGET = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    # Not the SET of an upsert's DO UPDATE SET, nor the OF of a SELECT's FOR UPDATE OF.
    rf"\s+(?:ONLY\s+)?(?!(?:SET|OF)\b)({_NAME}(?:\s*\.\s*{_NAME})?)",
    re.I,
)
_ONE_COLUMN_UPDATE = re.compile(
    rf"UPDATE\s+({_NAME})\s+SET\s+({_NAME})\s*=\s*%s\s+WHERE\b(?!.*\bSET\b)", re.I | re.S
)
UNKNOWN = None


def _table(name: str) -> str:
    last = re.split(r"\s*\.\s*(?=[\"`\[\w$])", name)[-1]
    return last.strip('"`[]').replace('""', '"').lower()


@lru_cache(maxsize=4096)
def tables_written(sql: str) -> frozenset[str] | None:
    """The tables `sql` writes (empty for a read), or None when it writes but cannot say which.
    Kept per statement text: the ORM sends the same few hundred texts with new parameters."""
    start = _LEADING.match(sql)
    rest = sql[start.end() if start else 0 :]
    verb_match = _VERB.match(rest)
    verb = verb_match.group(0).upper() if verb_match else ""
    if verb in _READ_VERBS:
        return frozenset()
    one = _ONE_COLUMN_UPDATE.match(rest)
    if one and _table(one.group(2)) in UNRELATED_COLUMNS.get(_table(one.group(1)), ()):
        return frozenset()
    targets = frozenset(_table(m.group(1)) for m in _TARGET.finditer(rest))
    if verb == "WITH":
        # A WITH ... SELECT reads; a WITH holding an INSERT, UPDATE or DELETE writes its table.
        return targets
    if verb in _DML_VERBS and targets:
        return targets
    return UNKNOWN


def changes_figures(sql: str) -> bool:
    tables = tables_written(sql)
    return tables is UNKNOWN or not tables <= UNRELATED_TABLES


class _Changed:
    """What a transaction that changed figures holds among its `on_commit` hooks: Django drops
    it with the transaction or savepoint it was added in, so its presence says that this
    connection holds uncommitted changes. On PostgreSQL it raises the number when run."""

    def __init__(self, alias: str, *, raise_at_commit: bool) -> None:
        self.alias = alias
        self.raise_at_commit = raise_at_commit

    def __call__(self) -> None:
        if self.raise_at_commit:
            _raise_safely(connections[self.alias])


def _has_version_table(connection: BaseDatabaseWrapper) -> bool:
    """False only while the database is being migrated up to the table's own migration (a new
    database, or the test database): until then there is nothing to raise, and no reader. Once
    seen, remembered for the connection's life (the table is never dropped)."""
    if getattr(connection, "_auditloop_version_table", False):
        return True
    found = VERSION_TABLE in connection.introspection.table_names()
    if found:
        connection._auditloop_version_table = True  # type: ignore[attr-defined]
    return found


def _raise(connection: BaseDatabaseWrapper) -> None:
    if not _has_version_table(connection):
        return
    table = connection.ops.quote_name(VERSION_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, number) VALUES (1, 1) "  # noqa: S608
            f"ON CONFLICT (id) DO UPDATE SET number = {table}.number + 1"
        )


def _raise_safely(connection: BaseDatabaseWrapper) -> None:
    """After a commit, the change is made: failing to raise the number must not turn the
    writer's page into an error. The cache's lifetime bounds what other processes miss, and
    it is logged, since until then some readers may see figures from before the change."""
    try:
        _raise(connection)
    except DatabaseError:
        # This process, at least, forgets what it kept.
        caches[CACHE_ALIAS].clear()
        logger.exception(
            "The data version was not raised after a committed change: cached figures may be "
            "up to %s seconds old.",
            figure_cache_seconds(),
        )


def _pending(connection: BaseDatabaseWrapper) -> bool:
    # Each entry is (savepoint ids, hook, robust).
    return any(isinstance(entry[1], _Changed) for entry in connection.run_on_commit)


def data_changed(connection: BaseDatabaseWrapper | None = None) -> None:
    """Note that `connection` (the default one) has written a table figures may be drawn from:
    the number is raised once the change is committed (see the module's words)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        if _pending(connection):
            return
        in_transaction = connection.vendor == "sqlite"
        if in_transaction:
            _raise(connection)
        connection.on_commit(_Changed(connection.alias, raise_at_commit=not in_transaction))
    elif connection.get_autocommit():
        _raise_safely(connection)
    else:
        # Transactions managed by hand (set_autocommit(False)): no hook runs at their commit,
        # so the raise goes inside, and commits with the change.
        _raise(connection)


def has_uncommitted_changes(connection: BaseDatabaseWrapper) -> bool:
    if connection.in_atomic_block:
        return _pending(connection)
    return not connection.get_autocommit()


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    result = execute(sql, params, many, context)
    if sql.lstrip()[:6].upper() != "SELECT" and changes_figures(sql):
        data_changed(context["connection"])
    return result


def watch_connection(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Run for each new connection (`connection_created`). Put first, so that a wrapper added
    and popped around some block (`connection.execute_wrapper`) never pops this one."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def data_version(connection: BaseDatabaseWrapper | None = None) -> int:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(VERSION_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def data_version_if_any() -> int | None:
    """The number, or None where the database has no table for it (yet)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if VERSION_TABLE not in connection.introspection.table_names():
        return None
    return data_version(connection)


def data_version_moved_past(number: int | None) -> None:
    """After the whole database was replaced (a restore): the restored number may be one
    already used, under which server processes still hold figures of the data replaced. It
    moves past both that and `number`, the one read before the restore."""
    restored = data_version_if_any()
    if restored is None:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    table = connection.ops.quote_name(VERSION_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, number) VALUES (1, %s) "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET number = excluded.number",
            [max(restored, number or 0) + 1],
        )


def figure_cache_seconds() -> int:
    return int(settings.AUDITLOOP_FIGURE_CACHE_SECONDS)


def figures_cached[T](
    name: str, *, reader_id: int | None, params: Sequence[Hashable], compute: Callable[[], T]
) -> T:
    """`compute()`'s figures for one reader, kept under the figure set's `name`, the reader,
    its `params` (everything else the figures depend on), today's date in the council's time
    zone and the data version. Keyed by the reader's own id, so that two people never share
    an entry whatever their access. Only the figures: the caller still decides access and
    logs reads on every request."""
    connection = connections[DEFAULT_DB_ALIAS]
    seconds = figure_cache_seconds()
    if seconds <= 0 or has_uncommitted_changes(connection):
        return compute()
    version = data_version(connection)
    parts = (name, reader_id, tuple(params), timezone.localdate().isoformat(), version)
    key = f"figures:{name}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"
    cache = caches[CACHE_ALIAS]
    found: T | None = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, seconds)
    return value
