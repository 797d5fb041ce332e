"""Does the demo council give every role something to do and see, whatever day it is built?

Builds the small demo council as of each day given (or a spread of awkward days: month starts
and ends, a Monday and a Sunday, 1 January, 1 April, 29 February of a leap year), each inside a
transaction rolled back afterwards, and for each demo login opens the pages a person would
look at first, with the clock set to that day, and prints what is missing.

    DATABASE_URL=sqlite:////tmp/days.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/days.sqlite3 .venv/bin/python scripts/demo_days.py \
        [--scale 1] [--day 2026-12-01 ...]

The same checks, on a handful of days and a smaller council, are the test
`auditloop/demo/tests/test_demo_every_day.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["AUDITLOOP_SECOND_FACTOR_ROLES"] = ""

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from auditloop.demo.builder import demo_council_build  # noqa: E402
from auditloop.demo.tests.every_day import SPREAD, missing_on  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--day", action="append", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args()
    days = args.day or SPREAD
    # The pages are opened with Django's test client, as the test does.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    failures = 0
    for day in days:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                demo_council_build(size="small", seed=args.seed, scale=args.scale, today=day)
                missing = missing_on(day)
                transaction.set_rollback(True)
        except Exception as exc:  # said, and the next day tried
            # E.g. a day after today's: the services the seed calls refuse a cycle that has
            # not started by the real clock.
            missing = [f"the build failed: {type(exc).__name__}: {exc}"]
        seconds = time.perf_counter() - started
        label = f"{day} ({day:%a})"
        if missing:
            failures += 1
            print(f"{label}: {len(missing)} missing ({seconds:.0f} s)", flush=True)
            for line in missing:
                print(f"    {line}", flush=True)
        else:
            print(f"{label}: every role has its work ({seconds:.0f} s)", flush=True)
    print(f"{failures} of {len(days)} days with something missing")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
