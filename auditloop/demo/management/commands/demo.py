"""`auditloop demo [--port 8000] [--no-serve]`: the demo council, its logins, and a server.

Seeds the small council (seed 1) when the database holds none, so a second run keeps the data;
sets the seven demo logins' password; prints the URL and one login per role; then serves.
Links in emails point at the port served, unless AUDITLOOP_SITE_URL says otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from auditloop.accounts.models import Role
from auditloop.demo.builder import council_exists, demo_council_build
from auditloop.demo.council import DEMO_LOGINS
from auditloop.demo.logins import (
    demo_logins_set_password,
    demo_logins_set_second_factor,
    demo_password,
)


class Command(BaseCommand):
    help = "Start the product with the demo council, printing the URL and a login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000")), help="Default 8000."
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the demo and print the logins, but do not start the server.",
        )

    def _second_factor_lines(self) -> list[str]:
        """After the password, the privileged logins give a second factor: the key to add to
        an authenticator app (or compute codes from, in a script) and recovery codes."""
        prepared = demo_logins_set_second_factor()
        if not prepared:
            return []
        lines = [
            "Second factor: after the password, these logins enter a code. Add the key to an",
            "authenticator app (enter a key, time-based), or use a recovery code (each once):",
            "",
        ]
        for demo in prepared:
            lines.append(f"  {demo.username + ':':<12}  key {demo.secret}")
            lines.append(f"  {'':<12}  recovery codes {' '.join(demo.recovery_codes)}")
        return [*lines, ""]

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be a number from 1 to 65535, not {port}.")
        url = f"http://127.0.0.1:{port}/"
        # Emails link to the server this demo starts, both from here and from the worker.
        site_url = os.environ.get("AUDITLOOP_SITE_URL") or url.rstrip("/")
        settings.SITE_URL = site_url
        if council_exists():
            self.stdout.write("Using the council already in this database.")
        else:
            self.stdout.write("Building the demo council (small, seed 1); this takes a moment.")
            summary = demo_council_build(size="small", seed=1)
            self.stdout.write(f"Built in {summary.seconds:.1f} seconds.")
        password, source = demo_password()
        missing = demo_logins_set_password(password=password)
        labels = dict(Role.choices)
        lines = ["", f"auditloop demo: open {url}", ""]
        width = max(len(labels[role]) for _, role in DEMO_LOGINS)
        lines.append(f"  {'Role':<{width}}  {'Username':<12}  Password")
        for username, role in DEMO_LOGINS:
            if username not in missing:
                lines.append(f"  {labels[role]:<{width}}  {username:<12}  {password}")
        lines += ["", f"The password is {source}.", f"Links in emails go to {site_url}.", ""]
        lines += self._second_factor_lines()
        self.stdout.write("\n".join(lines))
        if missing:
            self.stderr.write(
                "This database's council has no demo login for: "
                + ", ".join(missing)
                + ". Run `auditloop seed-demo --replace` to build the demo council."
            )
        if options["no_serve"]:
            return
        # Imports run in the background on the database queue: the demo starts its worker, whose
        # heartbeat tells an import's progress page that someone will run it. The demo keeps
        # Django's own server (no static files to collect, quick to start on a laptop);
        # `auditloop serve` is the production one.
        worker = subprocess.Popen(
            [sys.executable, "-m", "auditloop.cli", "worker", "--interval", "1"],
            env={**os.environ, "AUDITLOOP_SITE_URL": site_url},
        )
        self.stdout.write(f"Started the background worker for imports (process {worker.pid}).")
        # Stopped by SIGTERM (`kill`, a container stopping) as by Ctrl+C: Python's default
        # would end the process at once, leaving the worker running without its server.
        previous = signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            call_command(
                "runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True
            )
        finally:
            signal.signal(signal.SIGTERM, previous)
            worker.terminate()
            worker.wait(timeout=10)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
