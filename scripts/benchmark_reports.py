"""Time each role's dashboard figures against the bare aggregate SQL behind them.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/benchmark_reports.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/benchmark_reports.py --cycle latest

Runs on the council the database holds already (build the large demo council first:
`auditloop seed-demo --size large --seed 1`, or `scripts/benchmark_pages.py` once). For the
chosen cycle (`--cycle latest`, the default: the most recent cycle that has ended; or a
cycle's id or public id) and for each demo login with a dashboard (`dashboard_scope`), and for
the cycle review's committee and leaders' scopes (`review_scope`), it:

- builds `dashboard_sections(scope)` once to warm up, once capturing its queries, then
  `--repeat` more times: the build time is the median;
- runs the captured queries' SQL again, straight through `connection.cursor()`, every row
  fetched and nothing else done, `--repeat` times: the bare SQL time is the median;

and prints a table of the query count, both times in milliseconds and their ratio (the goal:
within 1.5x). For each dashboard it also times the whole page as its reader gets it (the
figures, the charts drawn, the template; through Django's test client, signed in), and for
the cycle review each format (`cycle_review_bytes`: HTML, PDF, Word) against the HTML (the
goal: PDF and Word within 3x). Nothing is written to the database (a page read is rolled
back).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from auditloop.accounts.models import StaffMember  # noqa: E402
from auditloop.demo.council import DEMO_LOGINS  # noqa: E402
from auditloop.reports.access.scopes import (  # noqa: E402
    DASHBOARD_ROLES,
    dashboard_scope,
    review_scope,
)
from auditloop.reports.charts import clear_drawn_charts  # noqa: E402
from auditloop.reports.documents import cycle_review_bytes  # noqa: E402
from auditloop.reports.models import Audience  # noqa: E402
from auditloop.reports.selectors.figures import dashboard_sections  # noqa: E402
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope  # noqa: E402
from auditloop.sampling.models import Cycle  # noqa: E402
from auditloop.testing import second_factor_passed  # noqa: E402

# Logins without a second factor (a seeded council's) are not sent to set one up, and those
# with one pass it (second_factor_passed): the pages are measured, not the code page.
settings.AUDITLOOP_SECOND_FACTOR_ROLES = []


def chosen_cycle(which: str) -> Cycle:
    cycles = Cycle.objects.order_by("-ends_on", "-id")
    if which == "latest":
        cycle = cycles.filter(ends_on__lt=timezone.localdate()).first() or cycles.first()
    elif which.isdigit():
        cycle = cycles.filter(pk=int(which)).first()
    else:
        cycle = cycles.filter(public_id=which).first()
    if cycle is None:
        raise SystemExit(f"No cycle {which!r} in this database: build a demo council first.")
    return cycle


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bare_sql(statements: list[str]) -> None:
    """The captured queries' SQL, run straight through the database cursor, every row
    fetched."""
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def page_ms(username: str, cycle: Cycle, repeat: int) -> tuple[float, float]:
    """The dashboard page's time with its charts drawn afresh, its median time read again
    (charts already drawn), as `username` reads it. (Its query count is asserted by the
    tests, small council against large.)"""
    user = StaffMember.objects.get(user__username=username).user
    if user is None:
        raise SystemExit(f"{username} has no login")
    client = Client(HTTP_HOST="localhost")
    url = f"/dashboard/?cycle={cycle.public_id}"
    with transaction.atomic():
        client.force_login(user)
        second_factor_passed(client, user)
        clear_drawn_charts()
        started = time.perf_counter()
        response = client.get(url)
        cold = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} as {username} answered {response.status_code}")
        took = median_ms(partial(client.get, url), repeat)
        transaction.set_rollback(True)
    return cold, took


def afresh(*, cycle: Cycle, audience: str, fmt: str) -> bytes:
    """The review as a format, every chart drawn again (as an issued review's first build)."""
    clear_drawn_charts()
    return cycle_review_bytes(cycle=cycle, audience=audience, fmt=fmt)


def fresh_sections(scope: ReportScope) -> object:
    """The dashboard's sections from a fresh copy of the scope, as a page builds them."""
    return dashboard_sections(replace(scope))


def scopes(cycle: Cycle) -> list[tuple[str, ReportScope]]:
    found = []
    for username, role in DEMO_LOGINS:
        if role not in DASHBOARD_ROLES:
            continue
        staff = StaffMember.objects.filter(user__username=username).first()
        scope = dashboard_scope(staff, cycle) if staff is not None else None
        if scope is None:
            print(f"{username}: no dashboard for {cycle.name}, left out")
            continue
        found.append((f"{username} dashboard", scope))
    found.append(("committee review", review_scope(cycle, Audience.COMMITTEE)))
    found.append(("leaders review", review_scope(cycle, Audience.LEADERS)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycle", default="latest", help="latest, or a cycle's id")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (median)")
    args = parser.parse_args()

    cycle = chosen_cycle(args.cycle)
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"Cycle: {cycle.name} ({cycle.starts_on} to {cycle.ends_on})\n")
    header = (
        f"{'scope':<22} {'audits':>7} {'queries':>7} {'build ms':>9} {'bare SQL ms':>11} "
        f"{'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    ratios = []
    for label, scope in scopes(cycle):
        audits = audits_in_scope(scope).count()
        # Each build takes a fresh copy of the scope, as each page does: a scope keeps what
        # its figures share (`ReportScope.memo`), which would otherwise be counted once.
        dashboard_sections(replace(scope))
        with CaptureQueriesContext(connection) as captured:
            dashboard_sections(replace(scope))
        statements = [query["sql"] for query in captured.captured_queries]
        build = median_ms(partial(fresh_sections, scope), args.repeat)
        bare_sql(statements)
        bare = median_ms(partial(bare_sql, statements), args.repeat)
        ratio = build / bare if bare else float("inf")
        ratios.append(ratio)
        print(
            f"{label:<22} {audits:>7} {len(statements):>7} {build:>9.1f} {bare:>11.1f} "
            f"{ratio:>6.2f}"
        )
    print(f"\nWorst ratio: {max(ratios):.2f} (goal: within 1.5)")

    print("\nDashboard pages (figures, charts and template):")
    header = f"{'login':<22} {'first ms':>9} {'again ms':>9}"
    print(header)
    print("-" * len(header))
    for username, role in DEMO_LOGINS:
        if role in DASHBOARD_ROLES and StaffMember.objects.filter(user__username=username):
            cold, took = page_ms(username, cycle, args.repeat)
            print(f"{username:<22} {cold:>9.1f} {took:>9.1f}")

    print("\nThe cycle review, each format (cycle_review_bytes):")
    header = f"{'audience':<10} {'format':<6} {'queries':>7} {'ms':>9} {'x HTML':>7} {'bytes':>9}"
    print(header)
    print("-" * len(header))
    for audience in (Audience.COMMITTEE, Audience.LEADERS):
        html_ms = 0.0
        for fmt in ("html", "pdf", "docx"):
            make = partial(afresh, cycle=cycle, audience=audience, fmt=fmt)
            clear_drawn_charts()
            with CaptureQueriesContext(connection) as captured:
                size = len(make())
            took = median_ms(make, max(1, args.repeat // 2))
            html_ms = took if fmt == "html" else html_ms
            print(
                f"{audience:<10} {fmt:<6} {len(captured.captured_queries):>7} {took:>9.1f} "
                f"{took / html_ms:>7.2f} {size:>9}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
