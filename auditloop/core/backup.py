"""Backing the database up to one file, and restoring one into the database `DATABASE_URL`
names (`auditloop backup`, `auditloop restore`).

SQLite: the online backup API copies the database page by page inside one read transaction,
so the copy is the database as it stood at one moment, whatever is being written meanwhile
(write-ahead logging lets the writers carry on). PostgreSQL: `pg_dump` in its custom format,
which reads everything in one repeatable-read snapshot; restored with `pg_restore` piped into
`psql` in one transaction, so a restore that fails half way leaves the database as it was.

A backup is written beside its final name and renamed into place once complete, so a file
with the name asked for is always a whole backup.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from auditloop.core.dataversion import data_version_if_any, data_version_moved_past

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"

# Tables a freshly migrated database fills by itself: their rows are not "data" when deciding
# whether a restore would overwrite someone's work.
_FILLED_BY_MIGRATE = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "learning_theme"}
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    engine: str


def _database() -> dict[str, Any]:
    """The default database's settings as its connection holds them."""
    return dict(connection.settings_dict)


def _is_sqlite(db: dict[str, Any]) -> bool:
    return bool(db["ENGINE"] == "django.db.backends.sqlite3")


def _is_postgresql(db: dict[str, Any]) -> bool:
    return bool(db["ENGINE"] == "django.db.backends.postgresql")


def _partial_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.partial")


def database_backup(*, out: Path) -> BackupResult:
    """Write a consistent copy of the whole database to `out` (replacing a file there)."""
    db = _database()
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"The folder {out.parent} does not exist.")
    _require_auditloop_database(db)
    partial = _partial_path(out)
    partial.unlink(missing_ok=True)
    # Every child's data is in it: readable by this account only, from the first byte.
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        if _is_sqlite(db):
            _sqlite_backup(partial)
            engine = "SQLite"
        elif _is_postgresql(db):
            _pg_backup(db, partial)
            engine = "PostgreSQL"
        else:
            raise BackupError(f"auditloop cannot back up a {db['ENGINE']} database.")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=out, size=out.stat().st_size, engine=engine)


def _require_auditloop_database(db: dict[str, Any]) -> None:
    """Refuse to back up a database that is not auditloop's (a mistyped DATABASE_URL), and
    never create an empty SQLite file by connecting to a path where there is none."""
    name = str(db["NAME"])
    if _is_sqlite(db) and not name.startswith(("file:", ":memory:")) and not Path(name).is_file():
        raise BackupError(f"There is no SQLite database at {name}: check DATABASE_URL.")
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            raise BackupError(
                f"The database {name} holds no auditloop tables: check DATABASE_URL (or run "
                "`auditloop migrate` first)."
            )


def _sqlite_backup(partial: Path) -> None:
    connection.ensure_connection()
    source = connection.connection
    target = sqlite3.connect(partial)
    try:
        # pages=-1 (the default) copies everything in one step, inside one read transaction:
        # one moment's database, never half of a write.
        source.backup(target)
        # The copy stands alone: no write-ahead log file beside it to lose.
        target.execute("PRAGMA journal_mode=DELETE")
        problem = target.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        target.close()
    if problem != "ok":
        raise BackupError(f"The copy failed SQLite's check ({problem}); nothing was written.")


def postgresql_program(name: str) -> str:
    """`pg_dump`, `pg_restore` or `psql`: on PATH, else beside `initdb` (where a server
    install keeps them), else in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    initdb = shutil.which("initdb")
    candidates = [Path(initdb).parent / name] if initdb else []
    candidates += [
        Path(p) for p in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        f"{name} was not found on PATH, beside initdb or in /usr/lib/postgresql: install "
        "PostgreSQL's client programs (the same major version as the server, or newer)."
    )


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    """The connection for the PostgreSQL programs, in their environment variables: the
    password never appears on a command line, where `ps` would show it."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        value = db.get(key)
        if value:
            env[variable] = str(value)
    # A server reached over TLS: the same requirement as the service's own connection.
    options = db.get("OPTIONS") or {}
    for variable, key in (
        ("PGSSLMODE", "sslmode"),
        ("PGSSLROOTCERT", "sslrootcert"),
        ("PGSSLCERT", "sslcert"),
        ("PGSSLKEY", "sslkey"),
    ):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.returncode}")


def _pg_backup(db: dict[str, Any], partial: Path) -> None:
    _run(
        [postgresql_program("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"],
        _pg_environment(db),
        "pg_dump",
    )


def backup_kind(path: Path) -> str:
    """ "sqlite" or "postgresql", from the file's first bytes."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}.") from None
    if head.startswith(SQLITE_HEADER):
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    raise BackupError(
        f"{path} is not an auditloop backup (neither a SQLite database nor a pg_dump file)."
    )


def tables_holding_data() -> list[str]:
    """The tables of the database `DATABASE_URL` names that hold a row, leaving aside what
    `migrate` fills by itself."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        holding = []
        for name in names:
            if name in _FILLED_BY_MIGRATE:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(name)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                holding.append(name)
    return holding


def database_restore(*, source: Path, replace: bool) -> str:
    """Replace the database `DATABASE_URL` names with the backup `source`, all or nothing.
    Refused while the database holds data, unless `replace`. Returns the engine's name."""
    db = _database()
    kind = backup_kind(source)
    if _is_sqlite(db) and kind != "sqlite":
        raise BackupError(f"{source} is a PostgreSQL backup; DATABASE_URL names a SQLite database.")
    if _is_postgresql(db) and kind != "postgresql":
        raise BackupError(f"{source} is a SQLite backup; DATABASE_URL names a PostgreSQL database.")
    if not (_is_sqlite(db) or _is_postgresql(db)):
        raise BackupError(f"auditloop cannot restore into a {db['ENGINE']} database.")
    holding = tables_holding_data()
    if holding and not replace:
        raise BackupError(
            f"The database already holds data ({len(holding)} tables with rows, e.g. "
            f"{', '.join(sorted(holding)[:3])}). Restoring would overwrite it: run again with "
            "--replace if that is what you want (back it up first)."
        )
    version = data_version_if_any()
    if _is_sqlite(db):
        _sqlite_restore(source, Path(db["NAME"]))
        engine = "SQLite"
    else:
        _pg_restore(db, source)
        engine = "PostgreSQL"
    data_version_moved_past(version)
    return engine


def _sqlite_restore(source: Path, target_path: Path) -> None:
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            problem = backup.execute("PRAGMA quick_check").fetchone()[0]
            is_auditloop = backup.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            problem = str(exc)
        if problem != "ok":
            raise BackupError(f"{source} is damaged ({problem}); nothing was restored.")
        if not is_auditloop:
            raise BackupError(f"{source} is a SQLite database but not an auditloop backup.")
        connection.close()
        target = sqlite3.connect(target_path, timeout=float(_database().get("TIMEOUT") or 20))
        try:
            # The backup API replaces every page of the target in one write transaction:
            # other connections see the old database or the restored one, never a mixture.
            backup.backup(target)
        finally:
            target.close()
    finally:
        backup.close()


# Run first, in the same transaction as the restore: empties the schema the dump fills.
_PG_EMPTY_SCHEMA = b"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(r.tablename) || ' CASCADE';
  END LOOP;
  FOR r IN SELECT sequence_name FROM information_schema.sequences
           WHERE sequence_schema = current_schema() LOOP
    EXECUTE 'DROP SEQUENCE IF EXISTS ' || quote_ident(r.sequence_name) || ' CASCADE';
  END LOOP;
END $$;
"""


def _pg_restore(db: dict[str, Any], source: Path) -> None:
    """pg_restore turns the dump into SQL, which psql runs after emptying the schema, all in
    one transaction. COMMIT is sent only once pg_restore has written the whole dump: if it
    fails half way, psql reaches the end of its input inside the transaction and the server
    rolls everything back, leaving the database as it was."""
    connection.close()
    env = _pg_environment(db)
    with tempfile.TemporaryFile() as dump_errors, tempfile.TemporaryFile() as psql_errors:
        psql = subprocess.Popen(  # noqa: S603
            [postgresql_program("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
        )
        dump = subprocess.Popen(  # noqa: S603
            [
                postgresql_program("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--file=-",
                str(source),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=dump_errors,
        )
        assert psql.stdin is not None and dump.stdout is not None  # noqa: S101
        try:
            psql.stdin.write(b"BEGIN;\n" + _PG_EMPTY_SCHEMA)
            shutil.copyfileobj(dump.stdout, psql.stdin, 1 << 20)
            if dump.wait() == 0:
                psql.stdin.write(b"COMMIT;\n")
            psql.stdin.close()
        except BrokenPipeError:
            # psql stopped at an error (ON_ERROR_STOP); its message is read below.
            dump.kill()
            dump.wait()
        psql.wait()
        dump_errors.seek(0)
        psql_errors.seek(0)
        dump_message = dump_errors.read().decode(errors="replace").strip()
        psql_message = psql_errors.read().decode(errors="replace").strip()
    if psql.returncode != 0:
        raise BackupError(f"psql refused the restore: {psql_message}; nothing was restored.")
    if dump.returncode != 0:
        raise BackupError(
            f"pg_restore could not read {source}: {dump_message}; nothing was restored."
        )
