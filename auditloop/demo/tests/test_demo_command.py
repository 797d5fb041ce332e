from __future__ import annotations

import io
import signal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from auditloop.accounts.models import Role, Service, StaffMember
from auditloop.core.services import notification_send
from auditloop.demo.builder import demo_council_build, seeding_sends_no_email
from auditloop.demo.council import DEMO_LOGINS
from auditloop.demo.management.commands import demo as demo_command
from auditloop.testing import Personas

# The council these tests build is not read for its review: its PDF is not laid out.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("review_not_laid_out")]


@pytest.fixture
def password_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "demo-password"
    monkeypatch.setenv("AUDITLOOP_DEMO_PASSWORD_FILE", str(path))
    monkeypatch.delenv("AUDITLOOP_DEMO_PASSWORD", raising=False)
    return path


@pytest.fixture(autouse=True)
def site_url_restored(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo command sets SITE_URL for the process it serves from; put it back after."""
    settings.SITE_URL = django_settings.SITE_URL
    monkeypatch.delenv("AUDITLOOP_SITE_URL", raising=False)


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out, stderr=out)
    return out.getvalue()


def login_lines(output: str) -> dict[str, str]:
    """Username -> password, from the printed block: each login's line ends with its username
    and its password (a role's label may hold a username's word: "Partner agency auditor")."""
    usernames = {u for u, _ in DEMO_LOGINS}
    found = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) >= 2 and words[-2] in usernames:
            found[words[-2]] = words[-1]
    return found


# --- auditloop demo ---------------------------------------------------------------------


def test_emails_link_to_the_port_the_demo_serves(
    password_file: Path, p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    output = run_demo("--port", "8123")
    assert "Links in emails go to http://127.0.0.1:8123." in output
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipients=[p.auditor], message="An audit is ready.", url="/audits/", email_subject="A"
        )
    assert "http://127.0.0.1:8123/audits/" in mail.outbox[0].body


def test_a_site_url_from_the_environment_wins_over_the_port(
    password_file: Path, p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITLOOP_SITE_URL", "https://audit.northshire.example")
    output = run_demo("--port", "8123")
    assert "Links in emails go to https://audit.northshire.example." in output
    assert django_settings.SITE_URL == "https://audit.northshire.example"


def test_a_port_out_of_range_is_refused_with_a_message(password_file: Path) -> None:
    with pytest.raises(CommandError, match="from 1 to 65535, not 70000"):
        run_demo("--port", "70000")


def test_password_from_the_environment_wins_and_is_not_stored(
    password_file: Path, monkeypatch: pytest.MonkeyPatch, p: Personas
) -> None:
    monkeypatch.setenv("AUDITLOOP_DEMO_PASSWORD", "a demo password 2026")
    output = run_demo()
    assert "a demo password 2026" in output
    assert "from AUDITLOOP_DEMO_PASSWORD" in output
    assert not password_file.exists()
    assert Client().login(username="moderator", password="a demo password 2026")


def test_demo_keeps_a_council_that_is_already_there(password_file: Path, p: Personas) -> None:
    output = run_demo()
    assert "Using the council already in this database" in output
    assert Service.objects.filter(name="North").exists()
    assert Client().login(username="leader", password=password_file.read_text().strip())


def test_demo_says_which_demo_logins_a_foreign_council_lacks(
    password_file: Path, p: Personas
) -> None:
    p.board_member.user.delete()  # type: ignore[union-attr]
    output = run_demo()
    assert "no demo login for: board" in output
    assert "board" not in login_lines(output)


def test_demo_then_serves_on_the_loopback_address_without_the_reloader(
    password_file: Path, p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(demo_command, "call_command", lambda *a, **kw: calls.append((a, kw)))
    workers: list[FakeWorker] = []

    def start_worker(argv: list[str], env: dict[str, str]) -> FakeWorker:
        workers.append(FakeWorker(argv, env))
        return workers[-1]

    monkeypatch.setattr("subprocess.Popen", start_worker)
    call_command("demo", "--port", "8765", stdout=io.StringIO())
    assert calls == [
        (("runserver", "127.0.0.1:8765"), {"use_reloader": False, "insecure_serving": True})
    ]
    # The background worker for imports runs beside the server and stops with it.
    assert len(workers) == 1
    assert workers[0].argv[-3:] == ["worker", "--interval", "1"]
    assert workers[0].terminated
    # The worker sends emails too: its links go to the same port.
    assert workers[0].env["AUDITLOOP_SITE_URL"] == "http://127.0.0.1:8765"


def test_demo_stopped_by_sigterm_stops_its_worker_too(
    password_file: Path, p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    def serve_until_terminated(*args: Any, **kwargs: Any) -> None:
        # As if `kill` reached the command while its server runs: the handler it installed.
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler)
        handler(signal.SIGTERM, None)

    monkeypatch.setattr(demo_command, "call_command", serve_until_terminated)
    workers: list[FakeWorker] = []

    def start_worker(argv: list[str], env: dict[str, str]) -> FakeWorker:
        workers.append(FakeWorker(argv, env))
        return workers[-1]

    monkeypatch.setattr("subprocess.Popen", start_worker)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit):
        call_command("demo", "--port", "8765", stdout=io.StringIO())
    assert workers[0].terminated
    assert signal.getsignal(signal.SIGTERM) == before


class FakeWorker:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.argv = argv
        self.env = env
        self.pid = 4242
        self.terminated = False

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float) -> int:
        return 0


# --- auditloop seed-demo ----------------------------------------------------------------


def test_a_database_with_a_council_is_refused_without_replace(p: Personas) -> None:
    with pytest.raises(ValueError, match="--replace"):
        demo_council_build(size="small", seed=1, scale=0.1)
    assert Service.objects.filter(name="North").exists()


def test_replace_deletes_the_council_first(p: Personas) -> None:
    demo_council_build(size="small", seed=1, scale=0.1, replace=True)
    assert not Service.objects.filter(name="North").exists()
    assert not StaffMember.objects.filter(name="Pat Practitioner").exists()
    assert StaffMember.objects.get(user__username="practitioner").role == Role.PRACTITIONER


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown demo size"):
        demo_council_build(size="medium")


def test_seed_demo_command_prints_what_it_built() -> None:
    out = io.StringIO()
    call_command("seed_demo", "--size", "small", "--seed", "2", "--scale", "0.1", stdout=out)
    assert "Built the small demo council (seed 2)" in out.getvalue()
    assert "300  open cases" in out.getvalue()


def test_seed_demo_command_says_how_to_replace_a_council(p: Personas) -> None:
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_demo", "--scale", "0.1", stdout=io.StringIO())
    call_command("seed_demo", "--scale", "0.1", "--replace", stdout=io.StringIO())
    assert not Service.objects.filter(name="North").exists()


def test_what_the_seed_publishes_emails_nobody(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    # The build commits inside `seeding_sends_no_email`, so the emails its services queue on
    # commit (hundreds, on the small council) go nowhere rather than to the console.
    with seeding_sends_no_email(), django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipients=[p.auditor], message="A key message.", url="/", email_subject="Published"
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(
            recipients=[p.auditor], message="A key message.", url="/", email_subject="Published"
        )
    assert len(mail.outbox) == 1
