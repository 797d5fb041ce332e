"""Time every list page and home page, as each demo login, on the large demo council.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/benchmark_pages.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/benchmark_pages.py --reuse

Migrates the database DATABASE_URL names, builds the large demo council in it (replacing any
council it holds) and fills its event and access logs, unless --reuse finds a council there
already (then it fills the logs only if they are empty). Then, for the pages that
`pytest -m large` checks (auditloop/core/tests/test_large_seed.py), as each of the seven demo
logins, it requests each page once to warm up, once counting the queries, and N more times
(Django's test client, in-process), and prints a table of the status, the query count and the
median and 95th-percentile time in milliseconds. The requests run in a transaction that is
rolled back, so the council is left as it was.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import statistics
import sys
import time
from pathlib import Path

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
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    # A refused page (403) is expected for some logins: no traceback for each.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from auditloop.accounts.models import User
    from auditloop.core.models import AccessLog
    from auditloop.demo.builder import council_counts, council_exists, demo_council_build
    from auditloop.demo.tests.test_large_seed import LOGINS, PAGES, history_logs_add
    from auditloop.testing import second_factor_passed

    # Logins without a second factor (a seeded council's) are not sent to set one up, and those
    # with one pass it (second_factor_passed): the pages are measured, not the code page.
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = []

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", interactive=False, verbosity=0)
    if args.reuse and council_exists():
        print("Reusing the council already built: " + _counts(council_counts()))
        if not AccessLog.objects.exists():
            with transaction.atomic():
                history_logs_add()
    else:
        started = time.perf_counter()
        with transaction.atomic():
            summary = demo_council_build(size=args.size, seed=args.seed, replace=True)
            history_logs_add()
        print(
            f"Built the {args.size} demo council (seed {args.seed}) in "
            f"{time.perf_counter() - started:.1f} s: " + _counts(summary.counts)
        )

    logins = [login for login in LOGINS if not args.login or login in args.login]
    pages = [page for page in PAGES if not args.page or any(w in page.label for w in args.page)]
    header = (
        f"{'login':<13} {'page':<42} {'status':>6} {'queries':>7} {'median ms':>9} {'p95 ms':>8}"
    )
    print(f"\n{len(pages)} pages x {len(logins)} logins, {args.requests} timed requests each\n")
    print(header)
    print("-" * len(header))
    medians: list[float] = []
    with transaction.atomic():
        for login in logins:
            client = Client(HTTP_HOST="localhost")
            user = User.objects.get(username=login)
            client.force_login(user)
            second_factor_passed(client, user)
            for page in pages:
                url = page.url()
                client.get(url)
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                # Read now: the next request empties the connection's query log.
                queries = len(captured.captured_queries)
                times: list[float] = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                median = statistics.median(times)
                medians.append(median)
                print(
                    f"{login:<13} {page.label[:42]:<42} {response.status_code:>6} "
                    f"{queries:>7} {median:>9.1f} "
                    f"{percentile(times, 0.95):>8.1f}"
                )
        transaction.set_rollback(True)
    worst = max(medians, default=0.0)
    print(f"\nWorst median: {worst:.1f} ms; median of medians: {statistics.median(medians):.1f} ms")
    return 0


def _counts(counts: dict[str, int]) -> str:
    wanted = ("open cases", "staff members", "audits", "answers")
    return ", ".join(f"{counts[name]:,} {name}" for name in wanted)


if __name__ == "__main__":
    sys.exit(main())
