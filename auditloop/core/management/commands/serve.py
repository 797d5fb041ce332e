"""`auditloop serve`: the product on a production web server, gunicorn, with the background
worker beside it.

It collects the static files (hashed names, compressed: whitenoise serves them with a year's
caching), then starts gunicorn's threaded workers on `config.wsgi` and one `auditloop worker`,
and stays in front of both: SIGTERM or Ctrl+C stops both cleanly, and if either ends on its
own the other is stopped too and the command fails, so a supervisor (systemd, Docker) restarts
the pair. Run `auditloop migrate` before it, once per release, not from every server.

Every setting has an environment variable (README, *Running it for real*); an option given on
the command line wins.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


@dataclass(frozen=True)
class Setting:
    variable: str
    default: int
    lowest: int
    highest: int
    what: str


PORT = Setting("PORT", 8000, 1, 65535, "the port to serve on")
PROCESSES = Setting(
    "AUDITLOOP_WEB_PROCESSES", max(2, os.cpu_count() or 2), 1, 64, "web server processes"
)
THREADS = Setting("AUDITLOOP_WEB_THREADS", 4, 1, 64, "threads in each web server process")
TIMEOUT = Setting(
    "AUDITLOOP_WEB_TIMEOUT", 120, 10, 3600, "seconds a request may take before it is stopped"
)


# How long the web server and the worker have to finish what they are doing once asked to stop.
STOP_SECONDS = 90


def setting_value(setting: Setting, given: int | None) -> int:
    """The option if given, else the environment variable, else the default; refused with a
    message naming where the bad value came from."""
    if given is not None:
        value, source = given, f"--{setting.variable.removeprefix('AUDITLOOP_WEB_').lower()}"
    else:
        raw = os.environ.get(setting.variable, "").strip()
        if not raw:
            return setting.default
        source = setting.variable
        try:
            value = int(raw)
        except ValueError:
            raise CommandError(
                f"{source} must be a whole number ({setting.what}), not {raw!r}."
            ) from None
    if not setting.lowest <= value <= setting.highest:
        raise CommandError(
            f"{source} must be from {setting.lowest} to {setting.highest} ({setting.what}), "
            f"not {value}."
        )
    return value


def gunicorn_argv(*, bind: str, port: int, processes: int, threads: int, timeout: int) -> list[str]:
    """gunicorn's command line. No access log: a query string can carry what someone typed
    into a search (a child's ID); refused requests and errors are the product's own log."""
    argv = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    argv += ["--bind", f"[{bind}]:{port}" if ":" in bind else f"{bind}:{port}"]
    argv += ["--workers", str(processes), "--threads", str(threads), "--worker-class", "gthread"]
    argv += ["--timeout", str(timeout), "--graceful-timeout", "30"]
    # A process is replaced after this many requests (spread, so not all at once): memory a
    # large export leaves behind is given back.
    argv += ["--max-requests", "2000", "--max-requests-jitter", "200"]
    argv += ["--log-level", "info", "--error-logfile", "-"]
    # gunicorn's control socket sits in the home folder: two servers on one machine (or a
    # container whose home is read-only) would trip over it, and nothing here uses it.
    argv += ["--no-control-socket"]
    return argv


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditloop.cli", *args]


class Command(BaseCommand):
    help = "Serve auditloop with gunicorn, with the background worker beside it (production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, help=f"{PORT.variable}; default {PORT.default}.")
        parser.add_argument(
            "--bind",
            help="The address to listen on (AUDITLOOP_BIND; default 127.0.0.1, behind a reverse "
            "proxy on the same machine; 0.0.0.0 in a container).",
        )
        parser.add_argument(
            "--processes", type=int, help=f"{PROCESSES.variable}; default the processors' count."
        )
        parser.add_argument(
            "--threads", type=int, help=f"{THREADS.variable}; default {THREADS.default}."
        )
        parser.add_argument(
            "--timeout", type=int, help=f"{TIMEOUT.variable}; default {TIMEOUT.default}."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Start no background worker (AUDITLOOP_SERVE_WORKER=off): run `auditloop "
            "worker` elsewhere, e.g. on several web servers sharing one database.",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="The static files were collected already (a container image does it once).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = setting_value(PORT, options["port"])
        processes = setting_value(PROCESSES, options["processes"])
        threads = setting_value(THREADS, options["threads"])
        timeout = setting_value(TIMEOUT, options["timeout"])
        bind = options["bind"] or os.environ.get("AUDITLOOP_BIND", "").strip() or "127.0.0.1"
        with_worker = not options["no_worker"] and os.environ.get(
            "AUDITLOOP_SERVE_WORKER", "on"
        ).strip().lower() not in {"0", "false", "no", "off"}
        env = {**os.environ, "AUDITLOOP_STATIC_HASHED": "1"}

        if not options["no_collectstatic"]:
            self.stdout.write("Collecting the static files (hashed names, compressed).")
            collected = subprocess.run(  # noqa: S603 (our own command)
                _command("collectstatic", "--no-input", "--verbosity", "0"), env=env, check=False
            )
            if collected.returncode != 0:
                raise CommandError("Collecting the static files failed: see the message above.")

        children: list[subprocess.Popen[bytes]] = []
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True
            if signum == signal.SIGINT:
                # Ctrl+C reached the children too (one process group); a second signal would
                # make the worker abandon the task it is running.
                return
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        web = subprocess.Popen(  # noqa: S603 (our own command line)
            gunicorn_argv(
                bind=bind, port=port, processes=processes, threads=threads, timeout=timeout
            ),
            env=env,
        )
        children.append(web)
        if with_worker:
            children.append(subprocess.Popen(_command("worker"), env=env))  # noqa: S603
        self.stdout.write(
            f"auditloop serve: http://{bind}:{port}/ ({processes} processes x {threads} threads)"
            + (f", background worker process {children[1].pid}" if with_worker else "")
            + "."
        )
        self.stdout.flush()

        if stopping:  # asked to stop while the children were starting
            stop(signal.SIGTERM, None)
        first = self._wait_for_first(children)
        failed = not stopping
        if failed:
            # One ended on its own: stop the other. (When asked to stop, each was signalled
            # once already; a second signal would make the worker abandon its task.)
            stop(signal.SIGTERM, None)
        for child in children:
            try:
                # A worker finishes the task it is running before it stops.
                child.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if failed or first.returncode not in {0, -signal.SIGTERM, -signal.SIGINT}:
            name = "web server" if first is web else "background worker"
            raise CommandError(f"The {name} stopped (exit code {first.returncode}).")

    @staticmethod
    def _wait_for_first(children: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        """Block until one child ends (a signal interrupting the wait is retried)."""
        while True:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                return children[0]
            for child in children:
                if child.pid == pid:
                    child.returncode = os.waitstatus_to_exitcode(status)
                    return child
