"""An import whose process was killed is shown as interrupted, not running for ever; one still
running is never taken for an interrupted one (auditloop/imports/holding.py)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from auditloop.cases.models import ChildCase
from auditloop.core.models import Event
from auditloop.imports.holding import import_held, imports_held
from auditloop.imports.models import ImportKind, ImportRun, ImportStatus
from auditloop.imports.selectors import import_runs_interrupted_shown
from auditloop.imports.services import annex_a as annex_a_service
from auditloop.imports.services.runs import import_run, import_runs_interrupted_record
from auditloop.imports.tests.builders import ANNEX_A
from auditloop.testing import Personas

HOLDER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from auditloop.imports.holding import import_held
with import_held() as key:
    print(key, flush=True)
    sys.stdin.read()
"""


def _database_url() -> str:
    """This test's own database, for another process: PostgreSQL's by its address; SQLite's
    locks are files, so the other process needs no database at all."""
    given = connection.settings_dict
    if connection.vendor != "postgresql":
        return "sqlite:///:memory:"
    login = quote(given["USER"]) + (f":{quote(given['PASSWORD'])}" if given["PASSWORD"] else "")
    where = f"{given['HOST'] or 'localhost'}:{given['PORT'] or 5432}"
    return f"postgres://{login}@{where}/{quote(given['NAME'])}"


def _holding_process() -> tuple[subprocess.Popen[str], int]:
    """Another process holding an import lock, as an import's process does; and its key."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", HOLDER],
        cwd=Path(settings.BASE_DIR),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "DATABASE_URL": _database_url(),
            "AUDITLOOP_IMPORT_LOCK_DIR": str(settings.AUDITLOOP_IMPORT_LOCK_DIR),
        },
    )
    assert process.stdout is not None
    return process, int(process.stdout.readline())


@pytest.fixture
def other_process() -> Iterator[tuple[subprocess.Popen[str], int]]:
    """Another process holding an import lock, killed after the test."""
    process, key = _holding_process()
    try:
        yield process, key
    finally:
        process.kill()
        process.wait()


def _running(holder: int | None) -> ImportRun:
    return ImportRun.objects.create(
        kind=ImportKind.ANNEX_A,
        file_name="annex.xlsx",
        status=ImportStatus.RUNNING,
        holder=holder,
        progress=40,
    )


@pytest.mark.django_db
def test_a_run_is_running_while_its_process_lives_and_interrupted_once_it_is_killed(
    other_process: tuple[subprocess.Popen[str], int],
) -> None:
    process, key = other_process
    run = _running(key)
    (shown,) = import_runs_interrupted_shown([ImportRun.objects.get(pk=run.pk)])
    assert shown.status == ImportStatus.RUNNING
    assert import_runs_interrupted_record() == 0

    process.kill()
    process.wait()

    (shown,) = import_runs_interrupted_shown([ImportRun.objects.get(pk=run.pk)])
    assert shown.status == ImportStatus.INTERRUPTED
    # Shown only, until an import records it, with its one event.
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.RUNNING
    assert import_runs_interrupted_record() == 1
    run.refresh_from_db()
    assert run.status == ImportStatus.INTERRUPTED and run.is_finished
    assert "Import the file again" in run.message
    assert (
        Event.objects.filter(verb="import.interrupted", target_id=str(run.public_id)).count() == 1
    )
    assert import_runs_interrupted_record() == 0


@pytest.mark.django_db
def test_an_import_in_progress_is_shown_running_to_anyone_who_asks_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    apply = annex_a_service.annex_a_apply

    def apply_and_look(**kwargs: Any) -> Any:
        # Half way through the import: a page lists the runs, and another import starts.
        (run,) = import_runs_interrupted_shown(list(ImportRun.objects.all()))
        seen.append(run.status)
        assert import_runs_interrupted_record() == 0
        return apply(**kwargs)

    monkeypatch.setattr("auditloop.imports.services.runs.annex_a_apply", apply_and_look)
    result = import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A])
    assert seen == [ImportStatus.RUNNING]
    assert result.status == ImportStatus.IMPORTED


@pytest.mark.django_db
def test_a_run_left_running_by_a_killed_process_is_recorded_by_the_next_import_which_works() -> (
    None
):
    # Left by a process that has gone, or by a version from before runs named their holder.
    gone, unnamed = _running(12345), _running(None)
    result = import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A])
    assert result.status == ImportStatus.IMPORTED
    assert ChildCase.objects.count() == result.created > 0
    for run in (gone, unnamed):
        run.refresh_from_db()
        assert run.status == ImportStatus.INTERRUPTED
    assert ImportRun.objects.filter(status=ImportStatus.RUNNING).count() == 0


@pytest.mark.django_db
def test_the_pages_show_an_interrupted_run_so_and_say_to_import_the_file_again(
    p: Personas,
) -> None:
    run = _running(12345)
    client = p.client_for(p.administrator)
    listed = client.get(reverse("imports:index")).content.decode()
    assert "Interrupted: import the file again" in listed
    assert ">Running<" not in listed
    page = client.get(reverse("imports:run", args=[run.public_id])).content.decode()
    assert "This import was interrupted, so nothing was changed" in page
    assert "Import the file again." in page
    assert "hx-trigger" not in page  # nothing left to poll for
    progress = client.get(reverse("imports:progress", args=[run.public_id]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"


def _lock_files() -> set[str]:
    return {p.name for p in Path(settings.AUDITLOOP_IMPORT_LOCK_DIR).glob("import-*.lock")}


@pytest.mark.django_db
def test_the_next_import_removes_the_lock_file_a_killed_import_left_and_keeps_a_live_ones(
    other_process: tuple[subprocess.Popen[str], int],
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("Lock files are SQLite's: PostgreSQL's locks are the server's own")
    _, live = other_process
    killed, left = _holding_process()
    killed.kill()
    killed.wait()
    assert {f"import-{left}.lock", f"import-{live}.lock"} <= _lock_files()

    result = import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A])

    assert result.status == ImportStatus.IMPORTED
    assert f"import-{left}.lock" not in _lock_files()
    assert f"import-{live}.lock" in _lock_files()


@pytest.mark.django_db
def test_a_lock_file_removed_as_abandoned_before_its_import_locked_it_is_given_up_for_another(
    monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("Lock files are SQLite's: PostgreSQL's locks are the server's own")
    settings.AUDITLOOP_IMPORT_LOCK_DIR = tmp_path
    flock = fcntl.flock
    removed: list[str] = []

    def cleaned_up_first(file: Any, operation: int) -> None:
        # Another import's clean-up finds the new file not yet locked, and removes it.
        if not removed:
            removed.append(file.name)
            os.unlink(file.name)
        flock(file, operation)

    monkeypatch.setattr(fcntl, "flock", cleaned_up_first)
    with import_held() as key:
        monkeypatch.setattr(fcntl, "flock", flock)
        assert removed and removed[0] != str(tmp_path / f"import-{key}.lock")
        assert (tmp_path / f"import-{key}.lock").exists()
        assert imports_held([key]) == {key}
