"""`auditloop import KIND FILE... [--dry-run] [--json]`."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command, load_command_class
from django.core.management.base import BaseCommand, OutputWrapper
from django.db import connection

from auditloop.cases.models import ChildCase
from auditloop.imports.tests.builders import ANNEX_A, CIN_2024, EPISODES, HEADER, SW_EPISODES

KEYS = {"status", "created", "updated", "unchanged", "message", "issues"}
ISSUE_KEYS = {"sheet", "row", "column", "value", "message", "severity"}


def _run(*args: str) -> tuple[dict[str, object], int]:
    out = io.StringIO()
    code = 0
    try:
        call_command("import", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return json.loads(out.getvalue()), code


@pytest.mark.django_db
def test_json_output_is_the_one_object_the_issue_specifies_and_exit_0() -> None:
    data, code = _run("annex-a", str(ANNEX_A), "--json")
    assert code == 0
    assert set(data) == KEYS
    assert (data["status"], data["created"]) == ("imported", 38)
    issues = data["issues"]
    assert isinstance(issues, list) and issues
    assert all(set(i) == ISSUE_KEYS for i in issues)


@pytest.mark.django_db
def test_the_second_run_of_the_same_file_is_unchanged_and_exits_0() -> None:
    _run("annex-a", str(ANNEX_A), "--json")
    data, code = _run("annex-a", str(ANNEX_A), "--json")
    assert (data["status"], data["created"], data["unchanged"], code) == ("unchanged", 0, 38, 0)


@pytest.mark.django_db
def test_a_rejected_file_exits_2_with_its_message(tmp_path: Path) -> None:
    renamed = tmp_path / "annex.xlsx"
    renamed.write_bytes(EPISODES.read_bytes())
    data, code = _run("annex-a", str(renamed), "--json")
    assert code == 2
    assert data["status"] == "rejected"
    assert "not an Excel workbook" in str(data["message"])
    assert ChildCase.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_validates_and_reports_without_writing() -> None:
    data, code = _run("cin", str(CIN_2024), "--dry-run", "--json")
    assert (data["status"], data["created"], code) == ("imported", 2, 0)
    assert ChildCase.objects.count() == 0


@pytest.mark.django_db
def test_several_ssda903_files_give_one_combined_object() -> None:
    data, code = _run("ssda903", str(HEADER), str(EPISODES), str(SW_EPISODES), "--json")
    assert code == 0
    assert set(data) == KEYS
    assert data["created"] == 2
    sheets = {i["sheet"] for i in data["issues"]}  # type: ignore[attr-defined]
    assert sheets == {HEADER.name, EPISODES.name, SW_EPISODES.name}


@pytest.mark.django_db
def test_without_json_it_prints_the_status_and_each_problem() -> None:
    out = io.StringIO()
    call_command("import", "ssda903", str(SW_EPISODES), stdout=out)
    text = out.getvalue()
    assert text.startswith("imported") or text.startswith("unchanged")
    assert "sw_episodes.csv, row 2, SW_REASON" in text


@pytest.mark.django_db
def test_from_the_command_line_it_runs_no_system_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # They run in `migrate`, `check --deploy` and the suite; a nightly import changes nothing
    # they look at.
    asked: list[object] = []

    def check(self: BaseCommand, **kwargs: object) -> None:
        asked.append(kwargs.get("tags"))

    monkeypatch.setattr(BaseCommand, "check", check)
    # As the command line runs it (`run_from_argv`, less its closing the test's connection),
    # where the checks run unless the command asks for none; call_command skips them.
    command = load_command_class("auditloop.imports", "import")
    parsed = command.create_parser("auditloop", "import").parse_args(
        ["annex-a", str(ANNEX_A), "--json"]
    )
    command.stdout = OutputWrapper(io.StringIO())
    command.execute(**vars(parsed))
    assert asked == []
    assert ChildCase.objects.count() == 38


# Libraries only the pages, the API, the reports, the redaction or the static files'
# compression use: a nightly import of a list, a process of its own, should not spend its
# start-up loading them.
NOT_FOR_AN_IMPORT = (
    "ninja",
    "pydantic",
    "openpyxl",
    "weasyprint",
    "matplotlib",
    "scipy",
    "numpy",
    "sklearn",
    "krippendorff",
    "docx",
    "phonenumbers",
    "stdnum",
    "ahocorasick",
    "faker",
    "PIL",
    "requests",
    "jwt",
    "webauthn",
    "mozilla_django_oidc",
    "brotli",
)

# The command line itself (`auditloop ...`), reporting as the process ends which top-level
# modules it loaded.
COMMAND_LINE = """
import atexit, json, sys

def loaded():
    sys.stderr.write(json.dumps(sorted({name.split(".")[0] for name in sys.modules})) + "\\n")

atexit.register(loaded)
from auditloop.cli import main
sys.argv = ["auditloop", *sys.argv[1:]]
main()
"""


def _command_line(*args: str, database_url: str, folder: Path) -> tuple[str, set[str]]:
    """What `auditloop ARGS` printed, run in a process of its own, and the modules it loaded."""
    ran = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", COMMAND_LINE, *args],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "AUDITLOOP_IMPORT_LOCK_DIR": str(folder),
        },
    )
    return ran.stdout, set(json.loads(ran.stderr.strip().splitlines()[-1]))


def _database_url(folder: Path) -> str:
    """This test's database for another process: SQLite's lives in this process's memory, so
    the other process gets a copy of it in a file; PostgreSQL's by its address."""
    given = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = folder / "copy.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return f"sqlite:///{copy}"
    login = quote(given["USER"]) + (f":{quote(given['PASSWORD'])}" if given["PASSWORD"] else "")
    where = f"{given['HOST'] or 'localhost'}:{given['PORT'] or 5432}"
    return f"postgres://{login}@{where}/{quote(given['NAME'])}"


@pytest.mark.django_db(transaction=True)
def test_an_import_from_the_command_line_loads_none_of_the_pages_and_reports_libraries(
    tmp_path: Path,
) -> None:
    printed, modules = _command_line(
        "import",
        "annex-a",
        str(ANNEX_A),
        "--json",
        database_url=_database_url(tmp_path),
        folder=tmp_path,
    )
    assert (json.loads(printed)["status"], json.loads(printed)["created"]) == ("imported", 38)
    assert {"auditloop", "python_calamine"} <= modules
    assert sorted(modules & set(NOT_FOR_AN_IMPORT)) == []
