"""Where a signed-in page's time goes, against the bare page of `benchmark_load.py`.

    DATABASE_URL=sqlite:////tmp/load.sqlite3 .venv/bin/python scripts/benchmark_load_profile.py
    ... --page home --login practitioner --requests 200 --top 40
    ... --mix    (every page the load benchmark browses, as every login: CPU time only)

On a council `benchmark_load.py` built (run it first), in one process and one thread (Django's
test client: every middleware, no web server), it asks for the bare page and for a signed-in
page N times each and prints, for each, the median time, the queries (and how many write) and
the bytes of HTML; then cProfile's functions of the signed-in page, by their own time and by
cumulative time, and the time by layer: each middleware's own part, the context processors,
template rendering and the database. A session signed in through Django's `login`, with the
second factor switched off as in the load benchmark. The requests' writes (the access log,
session renewals) are kept: run it on a benchmark council, not a real one.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

PAGES = {
    "home": "home",
    "audits": "audits:list",
    "actions": "audits:actions",
    "dashboard": "reports:dashboard",
    "cases": "cases:list",
    "accessibility": "accessibility",
    "notifications": "notifications",
    "floor": "benchmark_floor",
    # The first audit the login's audits list links to, as the load benchmark finds it.
    "audit": "audits:list",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", default="home", choices=sorted(PAGES))
    parser.add_argument("--login", default="practitioner")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--mix",
        action="store_true",
        help="instead: the CPU time of every page the load benchmark browses, as each login",
    )
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmark_load_site"
    os.environ["AUDITLOOP_SECOND_FACTOR_ROLES"] = ""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from auditloop.accounts.models import User

    if args.mix:
        return mix(args.requests)

    anonymous = Client(HTTP_HOST="localhost")
    signed_in = Client(HTTP_HOST="localhost")
    signed_in.force_login(User.objects.get(username=args.login))
    url = reverse(PAGES[args.page])
    if args.page == "audit":
        from benchmark_load import AUDIT_LINK

        found = AUDIT_LINK.search(signed_in.get(url).content.decode())
        if found is None:
            raise SystemExit(f"{args.login}'s audits list links to no audit")
        url = found.group(1)
    print(f"Database: {connection.vendor}; {args.login} on {url}, {args.requests} requests")

    for label, client, path in (
        ("bare page", anonymous, "/benchmark/bare/"),
        (f"{args.page} ({args.login})", signed_in, url),
    ):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} for {label}")
        if client is signed_in and b"Sign out" not in response.content:
            raise SystemExit(f"{label}: the session was signed out (its password changed?)")
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        # Copied now: the next request empties the connection's query log.
        queries = list(captured.captured_queries)
        writes = [
            q["sql"]
            for q in queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]
        times, cpu = timed(client, path, args.requests)
        print(
            f"{label:<28} median {statistics.median(times):6.2f} ms "
            f"(CPU {statistics.median(cpu):6.2f} ms), "
            f"{len(queries):>3} queries ({len(writes)} writes), "
            f"{len(response.content):>7,} bytes"
        )
        for query in queries:
            print(f"      {float(query['time']) * 1000:6.2f} ms  {query['sql'][:150]}")

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        signed_in.get(url)
    profiler.disable()
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(args.top)
        print(f"\n--- signed-in page, by {order}, {args.requests} requests ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])
    return 0


def timed(client: Any, path: str, requests: int) -> tuple[list[float], list[float]]:
    """Each request's wall-clock and CPU time in milliseconds. The CPU time is this process's
    alone: on a machine others share, it moves far less than the wall clock."""
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu


def mix(requests: int) -> int:
    """The median CPU time of each page the load benchmark browses (its lists, home pages and
    dashboard, and the first audits its audits list links to, as the benchmark finds them), as
    each demo login its menu offers it to, and their sum."""
    from benchmark_load import AUDIT_LINK, AUDITS_PER_LOGIN, LIST_PAGES
    from django.test import Client
    from django.urls import reverse

    from auditloop.accounts.models import User
    from auditloop.demo.council import DEMO_LOGINS

    logging.getLogger("django.request").setLevel(logging.ERROR)
    total = 0.0
    for login, _ in DEMO_LOGINS:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=login))
        for kind, name in LIST_PAGES:
            url = reverse(name)
            answer = client.get(url)
            if answer.status_code != 200:
                continue
            _, cpu = timed(client, url, requests)
            total += statistics.median(cpu)
            print(f"{login:<13} {kind:<14} CPU {statistics.median(cpu):8.1f} ms")
            if name != "audits:list":
                continue
            # An audit's own page: the load benchmark's heaviest-weighted kind of page.
            links = list(dict.fromkeys(AUDIT_LINK.findall(answer.content.decode())))
            audits = [
                link for link in links[:AUDITS_PER_LOGIN] if client.get(link).status_code == 200
            ]
            if audits:
                cpu = [statistics.median(timed(client, link, requests)[1]) for link in audits]
                total += statistics.median(cpu)
                print(f"{login:<13} {'an audit':<14} CPU {statistics.median(cpu):8.1f} ms")
    print(f"Sum of the pages' median CPU time: {total:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
