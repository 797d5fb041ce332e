"""`auditloop import KIND FILE... [--dry-run] [--json]`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Tags
from django.core.management import call_command
from django.core.management.base import BaseCommand

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
def test_from_the_command_line_it_runs_the_model_and_database_checks_not_every_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every check imports the whole URL conf, every view and the reports' libraries: most of
    # a nightly import's start-up, for checks of pages an import never serves.
    asked: list[object] = []

    def check(self: BaseCommand, **kwargs: object) -> None:
        asked.append(kwargs.get("tags"))

    monkeypatch.setattr(BaseCommand, "check", check)
    # As from the command line, where the checks run (call_command skips them by default).
    call_command(
        "import", "annex-a", str(ANNEX_A), "--json", skip_checks=False, stdout=io.StringIO()
    )
    assert asked == [[Tags.models, Tags.database]]
    assert ChildCase.objects.count() == 38


# Libraries only the pages, the API or the reports use: a nightly import of a list, a process
# of its own, should not spend its start-up loading them.
NOT_FOR_AN_IMPORT = ("ninja", "pydantic", "openpyxl", "weasyprint", "matplotlib", "scipy", "numpy")

STARTUP = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
from django.core.management import load_command_class
command = load_command_class("auditloop.imports", "import")
command.check(tags=command.requires_system_checks)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_the_import_command_starts_without_the_libraries_of_the_pages_and_reports() -> None:
    # In a process of its own, as the command line starts it: settings, apps, the command
    # and its checks.
    root = Path(__file__).resolve().parents[3]
    loaded = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", STARTUP],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DATABASE_URL": "sqlite:///:memory:"},
    )
    modules = set(json.loads(loaded.stdout.strip().splitlines()[-1]))
    assert "auditloop" in modules
    assert not modules & set(NOT_FOR_AN_IMPORT)
