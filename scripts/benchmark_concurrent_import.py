"""Do pages keep working on SQLite while a large import runs in another process?

    .venv/bin/python scripts/benchmark_concurrent_import.py [--rows 50000] [--old-settings]

Builds an Annex A workbook of N rows (as `benchmark_import.py` does) and a throwaway SQLite
database file with the test personas, then starts `manage.py import annex-a` on the workbook
in a second process and, until it ends, requests pages in this one (Django's test client, so
through every middleware, against the same database file): the home page, the audits list and
the case files list as a signed-in moderator, with a sign-in (a write: a new session, the
last-login time, axes' record) every 10th request. It prints, for reads and for sign-ins,
how many succeeded and failed and their latency, and the import's own time and result.

With --old-settings the run uses the settings before this measurement was made (a session
saved on every request, the sqlite3 module's 5-second busy timeout), for comparison.

The loop is bounded (at most --max-requests requests and --max-seconds seconds) and stops as
soon as the import ends; nothing is sent anywhere but this process.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(label: str, outcomes: list[tuple[bool, float]]) -> str:
    if not outcomes:
        return f"{label:<8} none made"
    ok = [ms for good, ms in outcomes if good]
    failed = len(outcomes) - len(ok)
    times = [ms for _, ms in outcomes]
    return (
        f"{label:<8} {len(outcomes):>5} requests: {len(ok):>5} succeeded, {failed:>4} failed; "
        f"latency ms median {statistics.median(times):>7.1f}, "
        f"95th {percentile(times, 0.95):>7.1f}, max {max(times):>7.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--old-settings", action="store_true")
    parser.add_argument("--max-requests", type=int, default=5_000)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="auditloop-concurrent-"))
    database = workdir / "concurrent.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AUDITLOOP_ALLOWED_HOSTS": "testserver,localhost",
        "AUDITLOOP_IMPORT_MAX_ROWS": str(max(args.rows * 2, 500_000)),
    }
    if args.old_settings:
        env["AUDITLOOP_SQLITE_TIMEOUT"] = "5"
    os.environ.update(env)

    import django

    django.setup()
    import logging

    from benchmark_import import build
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from auditloop.testing import PASSWORD, build_personas, second_factor_passed

    # Logins without a second factor (a seeded council's) are not sent to set one up, and those
    # with one pass it (second_factor_passed): the pages are measured, not the code page.
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = []

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    if args.old_settings:
        settings.SESSION_SAVE_EVERY_REQUEST = True
    call_command("migrate", verbosity=0)
    personas = build_personas()
    workbook = workdir / f"annex_a_{args.rows}.xlsx"
    build(workbook, args.rows, 6)
    print(
        f"SQLite file {database}; settings: "
        + (
            "old (session saved on every request, 5 s busy timeout)"
            if args.old_settings
            else f"current (busy timeout {settings.DATABASES['default']['OPTIONS']['timeout']:g} s)"
        )
    )

    moderator = personas.moderator.user
    if moderator is None:
        raise SystemExit("the moderator persona has no login")
    reader = Client()
    reader.force_login(moderator)
    second_factor_passed(reader, moderator)
    pages = [reverse("home"), reverse("audits:list"), reverse("cases:list")]
    for page in pages:  # warm up, before the import starts
        if reader.get(page).status_code != 200:
            raise SystemExit(f"{page} does not answer before the import starts")

    started = time.perf_counter()
    # To files, not pipes: the JSON lists every issue, more than a pipe holds unread.
    output, errors = (workdir / "import.json").open("w"), (workdir / "import.err").open("w")
    importer = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "import", "annex-a", str(workbook), "--json"],
        env=env,
        stdout=output,
        stderr=errors,
    )
    reads: list[tuple[bool, float]] = []
    sign_ins: list[tuple[bool, float]] = []
    failures: dict[str, int] = {}
    count = 0
    while importer.poll() is None and count < args.max_requests:
        if time.perf_counter() - started > args.max_seconds:
            importer.kill()
            break
        count += 1
        before = time.perf_counter()
        try:
            if count % 10 == 0:
                client = Client()
                response = client.post(
                    reverse("login"), {"username": moderator.username, "password": PASSWORD}
                )
                good = response.status_code == 302
                outcomes, status = sign_ins, str(response.status_code)
            else:
                response = reader.get(pages[count % len(pages)])
                good = response.status_code == 200
                outcomes, status = reads, str(response.status_code)
        except Exception as exc:  # a "database is locked" that no view caught
            good, outcomes, status = False, reads, type(exc).__name__
        outcomes.append((good, (time.perf_counter() - before) * 1000))
        if not good:
            failures[status] = failures.get(status, 0) + 1
    importer.wait()
    took = time.perf_counter() - started
    output.close()
    errors.close()
    stdout = (workdir / "import.json").read_text()
    stderr = (workdir / "import.err").read_text()
    try:
        result = json.loads(stdout)
        outcome = f"{result['status']}, {result['created']} created"
    except (json.JSONDecodeError, KeyError):
        outcome = f"no result (exit {importer.returncode}): {stderr.strip()[-300:]}"
    print(f"import of {args.rows:,} rows: {took:.1f} s, {outcome}")
    print(summary("reads", reads))
    print(summary("sign-ins", sign_ins))
    if failures:
        print("failures by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(failures.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
