"""Time the inspection pack for the last twelve months on the large demo council.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python scripts/benchmark_inspection_pack.py
    DATABASE_URL=postgres://... .venv/bin/python scripts/benchmark_inspection_pack.py --reuse

Migrates the database DATABASE_URL names and builds the large demo council in it (replacing
any council it holds), unless --reuse finds one there already. Then, as the demo audit lead
and senior leader, it downloads the pack in each format (the form's POST, through Django's test
client, in-process): once to warm up, once counting the queries, and N more times, and prints
the audits in the pack, the query count, the size and the median and slowest time. The
requests run in a transaction that is rolled back, so the council (and its access log) is left
as it was.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOGINS = ("moderator", "leader")
FORMATS = ("xlsx", "audits-csv", "actions-csv", "summary-csv")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep a council already built")
    parser.add_argument("--size", default="large", help="demo size (default large)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=5, help="timed requests per format")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from auditloop.accounts.models import StaffMember, User
    from auditloop.demo.builder import council_exists, demo_council_build
    from auditloop.reports.access.inspection_pack import pack_service_ids
    from auditloop.reports.rules.inspection_pack import default_period
    from auditloop.reports.selectors.inspection_pack import pack_audits
    from auditloop.testing import second_factor_passed

    # Logins without a second factor (a seeded council's) are not sent to set one up, and those
    # with one pass it (second_factor_passed): the pages are measured, not the code page.
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = []

    call_command("migrate", verbosity=0)
    if not (args.reuse and council_exists()):
        demo_council_build(size=args.size, seed=args.seed, replace=True)
    starts_on, ends_on = default_period(timezone.localdate())
    url = reverse("reports:inspection_pack")
    print(f"{connection.vendor}: the pack from {starts_on} to {ends_on}")
    print(f"{'login':<10} {'format':<12} {'audits':>6} {'queries':>7} {'KB':>6} {'median ms':>9}")
    for username in LOGINS:
        client = Client(HTTP_HOST="localhost")
        user = User.objects.get(username=username)
        client.force_login(user)
        second_factor_passed(client, user)
        staff = StaffMember.objects.get(user__username=username)
        audits = pack_audits(staff, starts_on, ends_on, pack_service_ids(staff)).count()
        for fmt in FORMATS:
            data = {
                "starts_on-day": starts_on.day,
                "starts_on-month": starts_on.month,
                "starts_on-year": starts_on.year,
                "ends_on-day": ends_on.day,
                "ends_on-month": ends_on.month,
                "ends_on-year": ends_on.year,
                "fmt": fmt,
            }
            with transaction.atomic():
                client.post(url, data)
                with CaptureQueriesContext(connection) as captured:
                    response = client.post(url, data)
                # Read now: the next request empties the connection's query log.
                queries = len(captured.captured_queries)
                times = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    client.post(url, data)
                    times.append(1000 * (time.perf_counter() - started))
                transaction.set_rollback(True)
            if response.status_code != 200 or "html" in response["Content-Type"]:
                print(f"{username} {fmt}: answered {response.status_code}, no pack")
                return 1
            print(
                f"{username:<10} {fmt:<12} {audits:>6} {queries:>7} "
                f"{len(response.content) // 1024:>6} {statistics.median(times):>9.0f}"
                f"  (slowest {max(times):.0f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
