"""Time every list page and home page, as each demo login, on the large (or national) council.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/benchmark_pages.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/benchmark_pages.py --reuse
    DATABASE_URL=postgres://... .venv/bin/python scripts/benchmark_pages.py --size national

Migrates the database DATABASE_URL names, builds the demo council of --size in it (replacing
any council it holds; `national` on PostgreSQL only) and fills its event and access logs, unless
--reuse finds a council there already (then it fills the logs only if they are empty). Then, for
the pages that `pytest -m large` checks (auditloop/demo/tests/test_large_seed.py: every list
page, home page and API list), as each demo login, it requests each page once to warm up, once
counting the queries (drawn afresh: kept parts and figures off for that request, as they are
for the baseline, built in a transaction never committed), and N more times, timed as served,
kept parts and all (Django's test client, in-process).

Then it builds the --baseline council (default small) in place of the measured one, as of the
day the measured one was built, in a transaction that is rolled back, and counts the same
pages' queries there. It prints a table of the status, the query count beside the baseline's
(DIFF where they differ), the median and 95th-percentile time in milliseconds, and the slowest
page. Every request runs in a transaction that is rolled back, so the council is left as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 for the 95th)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep a council already built")
    parser.add_argument("--size", default="large", help="demo size (default large)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=10, help="timed requests per page")
    parser.add_argument("--login", action="append", help="only these logins (repeatable)")
    parser.add_argument("--page", action="append", help="only pages whose name contains this")
    parser.add_argument(
        "--explain",
        action="append",
        metavar="LOGIN:PAGE",
        help="instead of the table, EXPLAIN ANALYZE the slowest queries of this page as this "
        "login (PostgreSQL; repeatable), e.g. manager:home",
    )
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        help="the day both councils' history is built as of (default: the measured council's)",
    )
    parser.add_argument(
        "--baseline",
        default="small",
        help="the council whose query counts are printed beside (default small; none to skip)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    # A refused page (403) is expected for some logins: no traceback for each.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from auditloop.core.models import AccessLog, Event
    from auditloop.demo.builder import council_counts, council_exists, demo_council_build
    from auditloop.demo.national import history_logs_add_sql
    from auditloop.demo.tests.test_large_seed import LOGINS, PAGES, history_logs_add

    def logs_add() -> None:
        # Inside the server on PostgreSQL: 200,000 audits' rows through Python take minutes.
        if connection.vendor == "postgresql":
            history_logs_add_sql()
        else:
            history_logs_add()

    # Logins without a second factor (a seeded council's) are not sent to set one up, and those
    # with one pass it (second_factor_passed): the pages are measured, not the code page.
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = []
    # The demo's key messages email every practitioner: keep them off the table printed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", interactive=False, verbosity=0)
    if args.reuse and council_exists():
        print("Reusing the council already built: " + _counts(council_counts()))
        if not AccessLog.objects.exists():
            with transaction.atomic():
                logs_add()
    else:
        started = time.perf_counter()
        with transaction.atomic():
            summary = demo_council_build(
                size=args.size, seed=args.seed, replace=True, today=args.as_of
            )
            logs_add()
        print(
            f"Built the {args.size} demo council (seed {args.seed}) in "
            f"{time.perf_counter() - started:.1f} s: " + _counts(summary.counts)
        )

    if args.explain:
        for wanted in args.explain:
            login, _, label = wanted.partition(":")
            _explain(login, next(page for page in PAGES if page.label == label))
        return 0

    logins = [login for login in LOGINS if not args.login or login in args.login]
    pages = [page for page in PAGES if not args.page or any(w in page.label for w in args.page)]
    print(f"\n{len(pages)} pages x {len(logins)} logins, {args.requests} timed requests each")
    measured = _measure(logins, pages, args.requests)

    baseline: dict[tuple[str, str], tuple[int, int]] = {}
    if args.baseline != "none" and args.baseline != args.size:
        # The baseline council is built in a transaction that is rolled back, in place of the
        # one measured (emptied by TRUNCATE, which is rolled back too), as of the day that one
        # was built: the demo's history is drawn from its day.
        seeded = Event.objects.filter(verb="demo.seeded").order_by("-at").first()
        day = args.as_of or timezone.localdate()
        if seeded and not args.as_of:
            recorded = seeded.after.get("day")
            day = dt.date.fromisoformat(recorded) if recorded else timezone.localdate(seeded.at)
        started = time.perf_counter()
        with transaction.atomic():
            demo_council_build(size=args.baseline, seed=args.seed, replace=True, today=day)
            logs_add()
            print(
                f"\nBuilt the {args.baseline} council as of {day} for the baseline counts in "
                f"{time.perf_counter() - started:.1f} s (rolled back afterwards)"
            )
            baseline = {
                key: (status, queries)
                for key, (status, queries, *_) in _measure(logins, pages, 0, quiet=True).items()
            }
            transaction.set_rollback(True)
        if connection.vendor == "postgresql":
            # ANALYZE of the baseline council wrote row counts to pg_class in place (they are
            # not rolled back): count the measured council's rows again.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    header = (
        f"{'login':<13} {'page':<42} {'status':>6} {'queries':>7} "
        f"{args.baseline[:8] if baseline else '':>8} {'':<4} {'median ms':>9} {'p95 ms':>8}"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    differing = 0
    for (login, label), (status, queries, median, p95) in measured.items():
        base_status, base_queries = baseline.get((login, label), (0, 0))
        flag = ""
        if baseline and (base_queries != queries or base_status != status):
            flag = "DIFF"
            differing += 1
        shown = f"{base_queries:>8}" if baseline else f"{'':>8}"
        print(
            f"{login:<13} {label[:42]:<42} {status:>6} {queries:>7} {shown} {flag:<4} "
            f"{median:>9.1f} {p95:>8.1f}"
        )
    medians = [row[2] for row in measured.values()]
    if measured:
        (login, label), worst = max(measured.items(), key=lambda item: item[1][2])
        print(
            f"\nSlowest page: {label} as {login}, median {worst[2]:.1f} ms (p95 {worst[3]:.1f} ms);"
            f" median of medians {statistics.median(medians):.1f} ms"
        )
    if baseline:
        print(
            f"Query counts: {len(measured) - differing} of {len(measured)} pages ask as many "
            f"queries as on the {args.baseline} council; {differing} differ (flagged DIFF)"
        )
    return 0


def _explain(login: str, page: Any, slowest: int = 3) -> None:
    """Request the page as the login, then EXPLAIN ANALYZE each query it asked (in a
    transaction rolled back) and print the slowest ones' plans."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from auditloop.accounts.models import User
    from auditloop.testing import second_factor_passed

    with transaction.atomic():
        client = Client(HTTP_HOST="localhost")
        user = User.objects.get(username=login)
        client.force_login(user)
        second_factor_passed(client, user)
        client.get(page.url())
        with CaptureQueriesContext(connection) as captured:
            client.get(page.url())
        timed = sorted(
            ((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True
        )
        print(f"\n{login} {page.label}: {len(timed)} queries, {sum(t for t, _ in timed):.3f} s")
        for seconds, sql in timed[:slowest]:
            print(f"\n--- {seconds * 1000:.1f} ms: {sql[:300]}")
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                for (line,) in cursor.fetchall()[:25]:
                    print("    " + line)
        transaction.set_rollback(True)


def _measure(
    logins: list[str], pages: list[Any], requests: int, *, quiet: bool = False
) -> dict[tuple[str, str], tuple[int, int, float, float]]:
    """(login, page) -> (status, queries, median ms, p95 ms), in a transaction rolled back."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from auditloop.accounts.models import User
    from auditloop.testing import second_factor_passed

    results: dict[tuple[str, str], tuple[int, int, float, float]] = {}
    with transaction.atomic():
        for login in logins:
            client = Client(HTTP_HOST="localhost")
            user = User.objects.get(username=login)
            client.force_login(user)
            second_factor_passed(client, user)
            for page in pages:
                url = page.url()
                client.get(url)
                # Counted as drawn afresh, with kept parts and figures off: the baseline is
                # built in a transaction never committed, where nothing is kept anyway, so a
                # kept page's count here would be its count on a hit, there on a first draw.
                # A first draw is the count that must not grow with the council.
                with (
                    override_settings(AUDITLOOP_FIGURE_CACHE_SECONDS=0),
                    CaptureQueriesContext(connection) as captured,
                ):
                    response = client.get(url)
                # Read now: the next request empties the connection's query log.
                queries = len(captured.captured_queries)
                times: list[float] = []
                for _ in range(requests):
                    started = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                median = statistics.median(times) if times else 0.0
                p95 = percentile(times, 0.95) if times else 0.0
                results[login, page.label] = (response.status_code, queries, median, p95)
                if not quiet:
                    print(
                        f"  {login:<13} {page.label[:42]:<42} {queries:>4} q {median:>8.1f} ms",
                        flush=True,
                    )
        transaction.set_rollback(True)
    return results


def _counts(counts: dict[str, int]) -> str:
    wanted = ("open cases", "staff members", "audits", "answers")
    return ", ".join(f"{counts[name]:,} {name}" for name in wanted)


if __name__ == "__main__":
    sys.exit(main())
