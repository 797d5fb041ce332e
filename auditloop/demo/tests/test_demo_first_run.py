"""`auditloop demo` on an empty database: it builds the council, prints the URL and the seven
logins, keeps the password private, and a second run keeps what the first built.

The first run (with a tenth of the small council, for TODAY) is made once for this module,
inside a transaction rolled back at its end, and each test reads it in a savepoint of its own:
a build takes seconds, and these tests once made five. Every test here reads the first run;
the command's other cases, on a database that holds personas or nothing, are in
test_demo_command.py.
"""

from __future__ import annotations

import datetime
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit
from auditloop.demo.builder import DemoSummary, demo_council_build, demo_digest
from auditloop.demo.council import DEMO_LOGINS
from auditloop.demo.management.commands import demo as demo_command
from auditloop.demo.tests.test_demo_command import login_lines, run_demo
from auditloop.reports import documents

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 26)


@dataclass(frozen=True)
class FirstRun:
    output: str
    password_file: Path
    summary: DemoSummary


@pytest.fixture(scope="module")
def first_run(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FirstRun]:
    """`auditloop demo --port 8123` on the empty database, the password file in a folder of
    its own; the settings are the tests' (conftest.py's, which a module's fixture runs before),
    and the command's SITE_URL is put back at the end."""
    password_file = tmp_path_factory.mktemp("demo") / "var" / "demo-password"
    built: list[DemoSummary] = []

    def build(**kwargs: Any) -> DemoSummary:
        # A tenth of the small council, for the day the seed tests build for.
        built.append(demo_council_build(**kwargs, scale=0.1, today=TODAY))
        return built[-1]

    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            AXES_ENABLED=False,
            AUDITLOOP_SECOND_FACTOR_ROLES=[],
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setenv("AUDITLOOP_DEMO_PASSWORD_FILE", str(password_file))
        patch.delenv("AUDITLOOP_DEMO_PASSWORD", raising=False)
        patch.delenv("AUDITLOOP_SITE_URL", raising=False)
        patch.setattr(demo_command, "demo_council_build", build)
        # As conftest.py's review_not_laid_out: no test here reads the review's PDF.
        patch.setattr(documents, "review_pdf", lambda review: b"%PDF-1.7\n")
        output = run_demo("--port", "8123")
        (summary,) = built
        yield FirstRun(output=output, password_file=password_file, summary=summary)
        transaction.set_rollback(True)


def test_demo_seeds_an_empty_database_and_prints_url_and_seven_logins(
    first_run: FirstRun,
) -> None:
    output = first_run.output
    assert "http://127.0.0.1:8123/" in output
    logins = login_lines(output)
    assert list(logins) == [u for u, _ in DEMO_LOGINS]
    password = first_run.password_file.read_text().strip()
    assert set(logins.values()) == {password}
    for label in ("Practitioner (social worker)", "Team manager", "Administrator"):
        assert label in output
    assert StaffMember.objects.count() > 7


def test_generated_password_is_kept_private_and_signs_each_demo_user_in(
    first_run: FirstRun,
) -> None:
    assert stat.S_IMODE(first_run.password_file.stat().st_mode) == 0o600
    password = first_run.password_file.read_text().strip()
    assert len(password) >= 12
    for username, _ in DEMO_LOGINS:
        assert Client().login(username=username, password=password), username


def test_second_run_keeps_the_data_and_the_password(first_run: FirstRun) -> None:
    first = login_lines(first_run.output)
    digest, audits = demo_digest(), Audit.objects.count()
    second_output = run_demo()
    assert "Using the council already in this database" in second_output
    assert login_lines(second_output) == first
    assert demo_digest() == digest
    assert Audit.objects.count() == audits


# --- auditloop seed-demo, on the same tenth of the council ---------------------------------


def test_scaled_down_council_keeps_its_make_up(first_run: FirstRun) -> None:
    assert first_run.summary.counts["open cases"] == 300
    assert first_run.summary.counts["services"] == 4
    usernames = set(StaffMember.objects.values_list("user__username", flat=True))
    assert {u for u, _ in DEMO_LOGINS} <= usernames
    assert StaffMember.objects.get(user__username="leader").role == Role.SENIOR_LEADER


def test_same_seed_builds_the_same_rows_and_another_seed_does_not(first_run: FirstRun) -> None:
    # The first run built seed 1; its rebuild takes ids after the first's (on either
    # database), so equal digests also show the digest does not depend on where ids stood.
    first = demo_digest()
    demo_council_build(size="small", seed=1, scale=0.1, today=TODAY, replace=True)
    assert demo_digest() == first
    demo_council_build(size="small", seed=8, scale=0.1, today=TODAY, replace=True)
    assert demo_digest() != first
