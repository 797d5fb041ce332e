"""A crash at any moment leaves none or all of a write, and the next run succeeds: the small
version of `scripts/crash_test.py` (a few kills, a small workbook), on the database the suite
runs on. The script itself kills each write 50 times and stops PostgreSQL under an import."""

from __future__ import annotations

import importlib.util
import random
import sqlite3
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from auditloop.audits.models import Answer
from auditloop.cases.models import ChildCase
from auditloop.imports.holding import import_held
from auditloop.imports.models import ImportKind, ImportRun, ImportStatus
from auditloop.sampling.models import SampleDrawCase


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        name, settings.BASE_DIR / "scripts" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


crash = _script("crash_test")
benchmark_import = _script("benchmark_import")

ROWS = 300


class InMemoryCopy:
    """The suite's SQLite database lives in this process's memory, which another process
    cannot open: the killed processes write a copy of it in a file, and before each check the
    file is copied back into memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.after_setup()

    def after_setup(self) -> None:
        connection.ensure_connection()
        target = sqlite3.connect(self.path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    def before_check(self) -> None:
        source = sqlite3.connect(self.path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()

    def can_stop_server(self) -> bool:
        return False


class SameDatabase:
    """PostgreSQL: the killed processes write the suite's own test database."""

    def __init__(self) -> None:
        given = connection.settings_dict
        login = quote(given["USER"]) + (f":{quote(given['PASSWORD'])}" if given["PASSWORD"] else "")
        where = f"{given['HOST'] or 'localhost'}:{given['PORT'] or 5432}"
        self.url = f"postgres://{login}@{where}/{quote(given['NAME'])}"

    def before_check(self) -> None:
        pass

    def after_setup(self) -> None:
        pass

    def can_stop_server(self) -> bool:
        # The suite's server serves every other test too; the script stops a server of its own.
        return False


def _database(tmp_path: Path) -> Any:
    if connection.vendor == "sqlite":
        return InMemoryCopy(tmp_path / "crash.sqlite3")
    return SameDatabase()


@pytest.mark.django_db(transaction=True)
def test_imports_audit_saves_draws_and_month_plans_killed_at_random_hold_none_or_all(
    tmp_path: Path,
) -> None:
    council = crash.council_build(cases=40)
    files = (tmp_path / "snapshot_a.xlsx", tmp_path / "snapshot_b.xlsx")
    benchmark_import.build(files[0], ROWS, 6)
    benchmark_import.build(files[1], ROWS, 6, changed=True)
    said: list[str] = []
    outcomes = crash.crash_all(
        _database(tmp_path),
        council,
        files,
        kills=2,
        write_kills=1,
        window=0,
        seed=random.randrange(1_000_000),
        say=said.append,
    )
    assert [(o.write, o.trials) for o in outcomes] == [
        ("import", 2),
        ("audit", 1),
        ("draw", 1),
        ("month", 1),
    ]
    assert [o.problems for o in outcomes] == [[], [], [], []], said
    assert ChildCase.objects.exclude(source_lists="").count() == ROWS


@pytest.mark.django_db
def test_the_checks_see_a_half_written_import() -> None:
    ChildCase.objects.create(la_child_id="0000001", cohort="CP")
    before = crash.case_files_fingerprint()
    ChildCase.objects.create(la_child_id="0000002", cohort="CP")
    after = crash.case_files_fingerprint()
    ChildCase.objects.filter(la_child_id="0000001").update(gender="Female")
    state, problems = crash.import_problems(before, after, "digest", 0)
    assert state == "half"
    assert "the case files hold part of the file's changes" in problems


@pytest.mark.django_db
def test_the_checks_see_a_half_written_audit_save_and_draw() -> None:
    council = crash.council_build(cases=10)
    assert crash.audit_problems(council.audit) == []
    assert crash.draws_problems() == []
    crash.victim("audit", [council.audit, "1"])
    crash.victim("draw", [council.draw_cycle, "1", str(council.lead)])
    assert crash.audit_problems(council.audit) == []
    assert crash.draws_problems() == []

    Answer.objects.filter(pk=Answer.objects.order_by("pk").values("pk")[:1]).update(evidence="")
    SampleDrawCase.objects.filter(pk=SampleDrawCase.objects.values("pk")[:1]).delete()
    assert crash.audit_problems(council.audit) == [
        "after 1 saves the answers say ['', 'crash test save 1']"
    ]
    assert "a draw of 2 holds 1 cases" in crash.draws_problems()


@pytest.mark.django_db
def test_the_checks_see_a_killed_import_still_shown_as_running() -> None:
    fingerprint = crash.case_files_fingerprint()
    still_running = "the killed import's run is still shown as running"
    with import_held() as key:
        # A run whose process still holds it (as a rule that never saw the kill would think).
        ImportRun.objects.create(
            kind=ImportKind.ANNEX_A, file_name="a.xlsx", status=ImportStatus.RUNNING, holder=key
        )
        _, problems = crash.import_problems(fingerprint, "", "digest", 0)
        assert still_running in problems
    _, problems = crash.import_problems(fingerprint, "", "digest", 0)
    assert still_running not in problems
