"""Load benchmark: signed-in users of every role against a bare Django view, under locust.

    DATABASE_URL=sqlite:////tmp/load.sqlite3 .venv/bin/python scripts/benchmark_load.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/benchmark_load.py --reuse
    ... --users 20 --users 50 --seconds 300        # the issue's goal: 5 minutes at 50 users

Migrates the database DATABASE_URL names and builds the large demo council in it (with its
event and access logs filled), unless --reuse finds a council there already. Sets the demo
logins' password to a fresh random one. Starts the production web server (gunicorn, on
`config.wsgi`, with `--workers` processes of `--threads` threads; the settings are the
product's plus a benchmark-only URL conf, `scripts/benchmark_load_site.py`, which adds the
bare page: one query, one template, no sign-in), then signs in as many sessions as the most
users asked for, spread over the eight demo logins (one of each role), through the sign-in
page. For each user count it runs locust headless three times, the same length each: the
signed-in users browsing their home pages, lists (audits, actions, cases, key messages),
audits and dashboards, each request straight after the last; then the same number of users
asking for the bare page; then the same signed-in users asking for the signed-in floor (the
bare page's one query in the product's layout behind a home page's access decision: what
any signed-in page costs before its own work). It prints p50, p95, throughput and errors for
each, and the ratios against the goal (p95 within 3x of the bare page's, throughput at least
40% of it, no errors), and the floor's against the bare page, which says how much of the gap
is signing in and the layout and how much is the pages' own work. `--targets` runs fewer.
It asserts nothing: on a shared machine the figures are noisy.

The browsing is read-only, and pages whose work is kept under the data version
(`auditloop/core/dataversion.py`) are drawn afresh only after a change. A council is not
read-only: `--changes-every S` commits a change every S seconds during the runs (one commit
raising the data version, as any saved answer, import or sign-off does), so the figures show
what the kept work is worth while people are also writing. `--changes-every 1` is a busy
council: 600 staff saving a draft or an action every second between them.

The second factor is switched off for the run (AUDITLOOP_SECOND_FACTOR_ROLES empty): it is
a step of signing in, not a cost of a page, and a one-time code cannot be used by several
sessions at once. Emails go nowhere.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRIPTS = ROOT / "scripts"
VENV_BIN = Path(sys.executable).parent

# The pages a login browses, by kind, where its own menu offers them (a 200 for it).
LIST_PAGES = [
    ("home", "home"),
    ("audits list", "audits:list"),
    ("actions list", "audits:actions"),
    ("cases list", "cases:list"),
    ("key messages", "learning:key_message_list"),
    ("dashboard", "reports:dashboard"),
]
AUDITS_PER_LOGIN = 10
AUDIT_LINK = re.compile(
    r'href="(/audits/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)"'
)
SIGNED_IN_MARK = "Sign out"
TARGETS = ("signed-in", "bare", "floor")


@dataclass(frozen=True)
class Result:
    users: int
    target: str
    requests: int
    failures: int
    p50: float
    p95: float
    throughput: float
    failure_reasons: list[str]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, action="append", help="20 and 50 by default")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--processes", type=int, default=1, help="locust processes")
    parser.add_argument("--reuse", action="store_true", help="keep a council already built")
    parser.add_argument("--size", default="large", help="demo size (default large)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--changes-every",
        type=float,
        default=0,
        metavar="S",
        help="commit a change (raising the data version) every S seconds during the runs",
    )
    parser.add_argument(
        "--targets",
        nargs="+",
        action="extend",
        choices=TARGETS,
        help="which runs, of signed-in, bare and floor (all three by default); given twice "
        "(--targets signed-in --targets bare), both",
    )
    args = parser.parse_args()
    # In the order given, each once: a second --targets adds to the first, not replaces it.
    args.targets = list(dict.fromkeys(args.targets or TARGETS))
    user_counts = args.users or [20, 50]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["AUDITLOOP_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    import django

    django.setup()
    from django.db import connection

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    password = council_prepare(args)
    connection.close()

    with tempfile.TemporaryDirectory(prefix="benchmark-load-") as folder:
        work = Path(folder)
        server = server_start(args, work)
        try:
            base = f"http://127.0.0.1:{args.port}"
            plan = plan_build(base, password=password, sessions=max(user_counts))
            plan_file = work / "plan.json"
            plan_file.write_text(json.dumps(plan))
            print(
                f"gunicorn: {args.workers} workers x {args.threads} threads on port "
                f"{args.port}; locust: {args.processes} process(es), no wait between "
                f"requests, {args.seconds} s per run"
            )
            for login, pages in plan["pages_by_login"].items():
                print(f"  {login:<13} " + ", ".join(f"{k} ({n})" for k, n in pages.items()))
            if args.changes_every:
                print(f"A change committed every {args.changes_every:g} s during the runs.")
            results: list[Result] = []
            with changes_committed(every=args.changes_every):
                for users in user_counts:
                    for target in args.targets:
                        result = locust_run(args, base, work, plan_file, users, target)
                        results.append(result)
                        print(result_line(result), flush=True)
        finally:
            server_stop(server)
    report(results)
    return 0


def council_prepare(args: argparse.Namespace) -> str:
    """Build (or reuse) the council; give the demo logins a fresh password and return it."""
    from django.core.management import call_command
    from django.db import transaction

    from auditloop.core.models import AccessLog
    from auditloop.demo.builder import council_exists, demo_council_build
    from auditloop.demo.logins import demo_logins_set_password
    from auditloop.demo.tests.test_large_seed import history_logs_add

    call_command("migrate", interactive=False, verbosity=0)
    if args.reuse and council_exists():
        print("Reusing the council already built.")
        if not AccessLog.objects.exists():
            with transaction.atomic():
                history_logs_add()
    else:
        started = time.perf_counter()
        with transaction.atomic():
            demo_council_build(size=args.size, seed=args.seed, replace=True)
            history_logs_add()
        print(f"Built the {args.size} demo council in {time.perf_counter() - started:.0f} s.")
    password = secrets.token_urlsafe(18)
    missing = demo_logins_set_password(password=password)
    if missing:
        raise SystemExit(f"The council has no demo logins {missing}: build it again.")
    return password


@contextmanager
def changes_committed(*, every: float) -> Iterator[None]:
    """While the block runs, commit a change every `every` seconds (none when 0) in a thread
    of this process: a transaction that raises the data version, as every committed change
    to a table that figures or kept pages are drawn from does."""
    if not every:
        yield
        return
    from django.db import connection, transaction

    from auditloop.core.dataversion import data_changed

    stop = threading.Event()

    def commit_changes() -> None:
        try:
            while not stop.wait(every):
                with transaction.atomic():
                    data_changed()
        finally:
            connection.close()

    thread = threading.Thread(target=commit_changes, name="changes", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def server_start(args: argparse.Namespace, work: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmark_load_site",
        AUDITLOOP_SECOND_FACTOR_ROLES="",
        PYTHONPATH=os.pathsep.join([str(SCRIPTS), str(ROOT)]),
    )
    log = (work / "gunicorn.log").open("wb")
    command = [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        "120",
    ]
    server = subprocess.Popen(  # noqa: S603 (our own command line)
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + (work / "gunicorn.log").read_text())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/benchmark/bare/") as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server_stop(server)
    raise SystemExit("gunicorn did not answer within a minute")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def sign_in(base: str, username: str, password: str) -> Any:
    """A requests session signed in through the sign-in page, as a browser would."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/sign-in/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise SystemExit("The sign-in page has no CSRF token.")
    answer = session.post(
        f"{base}/sign-in/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{base}/sign-in/"},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"Signing in as {username} failed ({answer.status_code}).")
    return session


def plan_build(base: str, *, password: str, sessions: int) -> dict[str, Any]:
    """Sign in `sessions` sessions over the demo logins and find the pages each login browses
    (and request each once, which warms the server up)."""
    from django.urls import reverse

    from auditloop.demo.council import DEMO_LOGINS

    logins = [username for username, _ in DEMO_LOGINS]
    pages: dict[str, list[dict[str, Any]]] = {}
    signed: list[dict[str, Any]] = []
    for index in range(sessions):
        login = logins[index % len(logins)]
        session = sign_in(base, login, password)
        signed.append({"login": login, "cookie": session.cookies["sessionid"]})
        if login in pages:
            continue
        found: list[dict[str, Any]] = []
        for kind, name in LIST_PAGES:
            url = reverse(name)
            answer = session.get(base + url, allow_redirects=False, timeout=120)
            if answer.status_code == 200 and SIGNED_IN_MARK in answer.text:
                found.append({"kind": kind, "urls": [url]})
            if name == "audits:list" and answer.status_code == 200:
                links = list(dict.fromkeys(AUDIT_LINK.findall(answer.text)))
                audits = [
                    link
                    for link in links[:AUDITS_PER_LOGIN]
                    if session.get(base + link, allow_redirects=False, timeout=120).status_code
                    == 200
                ]
                if audits:
                    found.append({"kind": "audit", "urls": audits})
        pages[login] = found
    for entry in signed:
        entry["pages"] = pages[entry["login"]]
    return {
        "cookie_name": "sessionid",
        "signed_in_mark": SIGNED_IN_MARK,
        "bare": "/benchmark/bare/",
        "floor": "/benchmark/floor/",
        "sessions": signed,
        "pages_by_login": {
            login: {page["kind"]: len(page["urls"]) for page in found}
            for login, found in pages.items()
        },
    }


def locust_run(
    args: argparse.Namespace, base: str, work: Path, plan: Path, users: int, target: str
) -> Result:
    prefix = work / f"{users}-{target}"
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(SCRIPTS / "benchmark_load_locustfile.py"),
        "--headless",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{args.seconds}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    if args.processes > 1:
        command += ["--processes", str(args.processes)]
    env = dict(os.environ, BENCHMARK_LOAD_PLAN=str(plan), BENCHMARK_LOAD_TARGET=target)
    with Path(f"{prefix}.log").open("wb") as log:
        subprocess.run(  # noqa: S603 (our own command line)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    return result_read(prefix, users, target)


def result_read(prefix: Path, users: int, target: str) -> Result:
    with Path(f"{prefix}_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    reasons: list[str] = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open() as failures:
            for row in csv.DictReader(failures):
                reasons.append(f"{row['Occurrences']} x {row['Name']}: {row['Error']}")
    return Result(
        users=users,
        target=target,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        p50=float(total["50%"]),
        p95=float(total["95%"]),
        throughput=float(total["Requests/s"]),
        failure_reasons=reasons,
    )


def result_line(result: Result) -> str:
    return (
        f"{result.users:>5} {result.target:<10} {result.requests:>8} {result.p50:>7.0f} "
        f"{result.p95:>7.0f} {result.throughput:>8.1f} {result.failures:>6}"
    )


def report(results: list[Result]) -> None:
    header = (
        f"{'users':>5} {'page':<10} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'req/s':>8} {'errors':>6}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for result in results:
        print(result_line(result))
    print(
        "\nSigned-in pages, and the signed-in floor, against the bare page"
        " (goal for the pages: p95 <= 3x, throughput >= 40%, 0 errors)"
    )
    by_key = {(r.users, r.target): r for r in results}
    for users in dict.fromkeys(r.users for r in results):
        bare = by_key.get((users, "bare"))
        if bare is None:
            continue
        for target in ("signed-in", "floor"):
            other = by_key.get((users, target))
            if other is None:
                continue
            p95 = other.p95 / bare.p95 if bare.p95 else float("inf")
            p50 = other.p50 / bare.p50 if bare.p50 else float("inf")
            share = other.throughput / bare.throughput if bare.throughput else 0.0
            met = p95 <= 3 and share >= 0.4 and other.failures == 0 and bare.failures == 0
            verdict = f": goal {'met' if met else 'not met'}" if target == "signed-in" else ""
            print(
                f"{users:>5} users, {target:<9}: p50 {p50:.1f}x, p95 {p95:.1f}x, "
                f"throughput {share:.0%}, errors {other.failures} and {bare.failures}{verdict}"
            )
    for result in results:
        for reason in result.failure_reasons[:5]:
            print(f"  {result.users} users, {result.target}: {reason}")


if __name__ == "__main__":
    raise SystemExit(main())
