"""`auditloop backup` and `auditloop restore`, on whichever database the suite runs on.

A writer process (`backup_writer.py`) imports case lists and saves audits while the backup is
taken; the restored database must hold every row the writer had committed before the backup
started, and nothing half written: each import whole or absent, each saved audit with all its
answers."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.models import Count

from auditloop.audits.models import Audit, AuditStatus, Question
from auditloop.cases.models import ChildCase
from auditloop.core.backup import BackupError, backup_kind, database_backup, database_restore
from auditloop.core.dataversion import data_version
from auditloop.testing import Personas
from auditloop.tests.backup_writer import ROWS

# Commits the writer must have made before the backup is taken.
ROUNDS_BEFORE = 3


@contextmanager
def default_database(settings_dict: dict[str, Any]) -> Iterator[None]:
    """Use `settings_dict` as the default database inside the block (the test database is only
    set aside, and given back afterwards)."""
    original = connections["default"]
    other = type(original)(settings_dict, alias="default")
    connections["default"] = other
    try:
        yield
    finally:
        other.close()
        connections["default"] = original


def _url(settings_dict: dict[str, Any]) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict["USER"] or "")
    password = f":{quote(settings_dict['PASSWORD'])}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


@pytest.fixture
def live_database(transactional_db: None, tmp_path: Path, personas: Personas) -> Iterator[str]:
    """The council's running database, with the personas committed; yields its DATABASE_URL.
    On SQLite the in-memory test database is copied to a file and used as the default
    database; PostgreSQL's test database is used as it is."""
    if connection.vendor != "sqlite":
        yield _url(connection.settings_dict)
        return
    path = tmp_path / "live.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    settings_dict = {**connection.settings_dict, "NAME": str(path)}
    with default_database(settings_dict):
        yield _url(settings_dict)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Settings for a database with nothing in it, to restore into."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings_dict
        return
    name = f"{settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings_dict["NAME"] = name
    try:
        yield settings_dict
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _writer(database_url: str, stop: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUDITLOOP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "AUDITLOOP_TASKS_IMMEDIATE": "1",
    }
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "auditloop.tests.backup_writer", str(stop)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _commits(stream: IO[str], wanted: int) -> list[str]:
    """Read the writer's lines until it has committed `wanted` audits (or stopped)."""
    commits = []
    audits = 0
    for line in stream:
        if line.startswith("committed "):
            commits.append(line.split(maxsplit=1)[1].strip())
            audits += commits[-1].startswith("audit ")
            if audits == wanted:
                break
    return commits


def _imports() -> set[str]:
    return {
        child_id[:6]
        for child_id in ChildCase.objects.filter(la_child_id__startswith="BK").values_list(
            "la_child_id", flat=True
        )
    }


def _half_written() -> list[str]:
    """What in the database at hand is not whole: an import with some of its cases, an audit
    in progress without every answer, a planned one with some."""
    problems = []
    imported = ChildCase.objects.filter(la_child_id__startswith="BK").values_list(
        "la_child_id", flat=True
    )
    per_import: dict[str, int] = {}
    for child_id in imported:
        per_import[child_id[:6]] = per_import.get(child_id[:6], 0) + 1
    problems += [f"import {p}: {n} cases" for p, n in per_import.items() if n != ROWS]
    questions = dict(
        Question.objects.values("section__version")
        .annotate(n=Count("id"))
        .values_list("section__version", "n")
    )
    for audit in Audit.objects.filter(case__la_child_id__startswith="BK").annotate(
        answered=Count("answers")
    ):
        expected = 0 if audit.status == AuditStatus.PLANNED else questions[audit.tool_version_id]
        if audit.answered != expected:
            problems.append(f"audit {audit.public_id}: {audit.answered} answers")
    return problems


def test_a_backup_taken_while_imports_and_audits_are_written_restores_whole(
    live_database: str, empty_database: dict[str, Any], tmp_path: Path
) -> None:
    stop = tmp_path / "stop"
    writer = _writer(live_database, stop)
    assert writer.stdout is not None and writer.stderr is not None
    try:
        committed = _commits(writer.stdout, ROUNDS_BEFORE)
        assert len(committed) == 2 * ROUNDS_BEFORE, writer.stderr.read()
        result = database_backup(out=tmp_path / "council.backup")
    finally:
        stop.touch()
        _, errors = writer.communicate()
    assert writer.returncode == 0, errors
    live_imports = _imports()

    with default_database(empty_database):
        assert database_restore(source=result.path, replace=False) == result.engine
        imports = _imports()
        audits = {str(a) for a in Audit.objects.values_list("public_id", flat=True)}
        assert _half_written() == []
    # The backup is one moment of a database being written: the writer committed more after it.
    assert imports < live_imports
    # Everything committed before the backup began is in it.
    for line in committed:
        kind, key = line.split()
        if kind == "import":
            assert f"BK{int(key):04d}" in imports
        else:
            assert key in audits


def test_restore_refuses_a_database_holding_data_unless_told_to_replace_it(
    live_database: str, p: Personas, tmp_path: Path
) -> None:
    backup = tmp_path / "council.backup"
    call_command("backup", "--out", str(backup), stdout=io.StringIO())
    ChildCase.objects.create(la_child_id="LATER-1", cohort="CP", allocated_team=p.north_a)

    with pytest.raises(CommandError, match=r"already holds data.*--replace"):
        call_command("restore", str(backup), stdout=io.StringIO())
    assert ChildCase.objects.filter(la_child_id="LATER-1").exists()

    replaced = data_version()
    out = io.StringIO()
    call_command("restore", str(backup), "--replace", stdout=out)
    assert "restored" in out.getvalue()
    assert not ChildCase.objects.filter(la_child_id="LATER-1").exists()
    assert ChildCase.objects.filter(la_child_id=p.case.la_child_id).exists()
    # The backup's own data version is older: figures cached under the numbers since then are
    # of the data replaced, so the restored database moves past them.
    assert data_version() > replaced


def test_a_file_that_is_not_a_backup_is_refused_with_what_it_is(
    transactional_db: None, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    with pytest.raises(BackupError, match="not an auditloop backup"):
        database_restore(source=notes, replace=True)
    with pytest.raises(BackupError, match="There is no file"):
        backup_kind(tmp_path / "missing.backup")


def test_a_backup_of_the_other_engine_is_refused(transactional_db: None, tmp_path: Path) -> None:
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00")
        expected = "is a PostgreSQL backup; DATABASE_URL names a SQLite database"
    else:
        sqlite3.connect(other).execute("CREATE TABLE django_migrations (id INTEGER)").close()
        expected = "is a SQLite backup; DATABASE_URL names a PostgreSQL database"
    with pytest.raises(BackupError, match=expected):
        database_restore(source=other, replace=True)


def test_a_failed_backup_leaves_no_file_under_the_name_asked_for(
    transactional_db: None, tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        database_backup(out=tmp_path / "no-such-folder" / "council.backup")
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_backup_restores_nothing_and_leaves_the_database_as_it_was(
    live_database: str, p: Personas, tmp_path: Path
) -> None:
    backup = tmp_path / "council.backup"
    database_backup(out=backup)
    damaged = tmp_path / "damaged.backup"
    whole = backup.read_bytes()
    damaged.write_bytes(whole[: len(whole) * 2 // 3])
    ChildCase.objects.create(la_child_id="LATER-1", cohort="CP", allocated_team=p.north_a)

    with pytest.raises(BackupError, match="nothing was restored"):
        database_restore(source=damaged, replace=True)
    assert ChildCase.objects.filter(la_child_id="LATER-1").exists()
    assert ChildCase.objects.filter(la_child_id=p.case.la_child_id).exists()


def test_the_backup_file_is_readable_by_its_owner_only(
    transactional_db: None, tmp_path: Path
) -> None:
    result = database_backup(out=tmp_path / "council.backup")
    assert result.path.stat().st_mode & 0o777 == 0o600
    assert [f.name for f in tmp_path.iterdir()] == ["council.backup"]


def test_a_database_url_naming_no_database_is_refused_without_creating_one(
    transactional_db: None, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's files only: a PostgreSQL server refuses an unknown database itself")
    missing = tmp_path / "typo.sqlite3"
    settings_dict = {**connection.settings_dict, "NAME": str(missing)}
    with default_database(settings_dict), pytest.raises(BackupError, match="check DATABASE_URL"):
        database_backup(out=tmp_path / "council.backup")
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []
