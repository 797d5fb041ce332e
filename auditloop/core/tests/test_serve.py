"""`auditloop serve`: gunicorn with the settings the environment gives, hashed static files,
and the background worker beside it, all stopped together."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError

from auditloop.core.management.commands.serve import (
    PROCESSES,
    THREADS,
    gunicorn_argv,
    setting_value,
)
from auditloop.core.models import WorkerHeartbeat


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_the_environment_sets_processes_and_threads_and_an_option_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUDITLOOP_WEB_PROCESSES", "3")
    monkeypatch.setenv("AUDITLOOP_WEB_THREADS", "8")
    assert setting_value(PROCESSES, None) == 3
    assert setting_value(THREADS, None) == 8
    assert setting_value(THREADS, 2) == 2
    monkeypatch.delenv("AUDITLOOP_WEB_THREADS")
    assert setting_value(THREADS, None) == 4


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "many",
            "AUDITLOOP_WEB_PROCESSES must be a whole number (web server processes), not 'many'",
        ),
        ("0", "AUDITLOOP_WEB_PROCESSES must be from 1 to 64 (web server processes), not 0"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("AUDITLOOP_WEB_PROCESSES", value)
    with pytest.raises(CommandError, match=re.escape(message)):
        setting_value(PROCESSES, None)


def test_a_bad_option_is_refused_naming_the_option() -> None:
    with pytest.raises(CommandError, match=re.escape("--threads must be from 1 to 64")):
        setting_value(THREADS, 100)


def test_gunicorn_runs_threaded_workers_with_no_access_log() -> None:
    argv = gunicorn_argv(bind="0.0.0.0", port=8080, processes=3, threads=5, timeout=90)  # noqa: S104
    assert argv[1:4] == ["-m", "gunicorn", "config.wsgi:application"]
    assert _option(argv, "--bind") == "0.0.0.0:8080"
    assert _option(argv, "--workers") == "3"
    assert _option(argv, "--threads") == "5"
    assert _option(argv, "--worker-class") == "gthread"
    assert _option(argv, "--timeout") == "90"
    # A query string may carry a child's ID someone searched for: no access log.
    assert not any(option.startswith("--access-log") for option in argv)
    assert gunicorn_argv(bind="::1", port=1, processes=1, threads=1, timeout=10)[5] == "[::1]:1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    # Generous: the test machine may be busy; a server that never answers still fails.
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (our own server)
        return response.status, dict(response.headers), response.read()


def test_serve_answers_with_hashed_static_files_and_its_worker_and_stops_both(
    shared_database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": shared_database_url,
        "AUDITLOOP_STATIC_ROOT": str(tmp_path / "static"),
        "AUDITLOOP_WEB_PROCESSES": "1",
        "AUDITLOOP_WEB_THREADS": "2",
    }
    env.pop("AUDITLOOP_TASKS_IMMEDIATE", None)
    serve = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "auditloop.cli", "serve", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert serve.stdout is not None
        for line in serve.stdout:
            lines.put(line)
        lines.put("(ended)")

    threading.Thread(target=read, daemon=True).start()
    log: list[str] = []
    try:
        ready = {"Listening at": False, "Starting worker": False}
        while not all(ready.values()):
            line = lines.get(timeout=180)  # a server that never starts fails, never hangs
            log.append(line)
            assert line != "(ended)", "serve ended early:\n" + "".join(log)
            for sign in ready:
                ready[sign] = ready[sign] or sign in line
        base = f"http://127.0.0.1:{port}"
        status, _, body = _get(f"{base}/health/")
        health: dict[str, Any] = json.loads(body)
        assert status == 200
        assert health["status"] == "ok" and health["workers"]["alive"] == 1
        _, _, page = _get(f"{base}/sign-in/")
        stylesheet = re.search(r'href="(/static/auditloop/app\.[0-9a-f]{12}\.css)"', page.decode())
        assert stylesheet, "the sign-in page links no hashed stylesheet"
        status, headers, css = _get(base + stylesheet.group(1))
        assert status == 200 and b"govuk" in css
        assert "immutable" in headers["Cache-Control"]
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=120)
    assert serve.returncode == 0, "".join(log)
    # The worker stopped cleanly with the web server.
    assert not WorkerHeartbeat.objects.exists()
