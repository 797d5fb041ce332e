"""Benchmark the Annex A import against a bare python-calamine read of the same file.

    .venv/bin/python scripts/benchmark_import.py [--rows 10000 50000] [--list 6|8] [--profile]

For each row count, builds an Annex A list of N rows in a temporary xlsx, and a second snapshot
of the same children in which every row has changed (another worker, a later visit). Migrates a
throwaway SQLite database (or uses DATABASE_URL when it is set: every run is rolled back, so
nothing is left in it), then prints one line per row count and import:

- the bare read: python-calamine opening the file and reading the whole sheet (`to_python`);
- a first import (every case file created) and a changed re-import (the first snapshot
  imported, then the second timed: every case file updated), each the whole import: reading,
  validation, matching and database writes; best of three (--repeat), each run rolled back;
- their ratio to the bare read (goal: within 4x) and rows per second;
- the peak Python memory of the import (tracemalloc, in a further untimed run, the file given
  by its path as the command line gives it): it should not grow with the row count.

With --profile, the largest first import and re-import run once more under cProfile and the
top functions by cumulative time are printed.

With --processes, each is instead timed as a whole process, as a council runs it: a process that
only reads the sheet with python-calamine against `manage.py import annex-a FILE --json`
(start-up, settings, checks, reading, writing), and their ratio (goal: within 4x); then the
same for their CPU time (user and system), steadier than the wall time on a shared machine
(a PostgreSQL server's own work is not in it). These imports commit; the case files, runs and
events they wrote are removed after each (untimed).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIST_6 = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Does the Child have a Disability",
    "CIN Start Date",
    "Primary Need Code",
    "Date Child Was Last Seen",
    "CIN Closure Date",
    "Reason for Closure",
    "Case Status",
    "Allocated Team",
    "Allocated Worker",
]
LIST_8 = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Does the Child have a Disability",
    "Date Started to be Looked After",
    "Child's Legal Status",
    "Date of Latest Statutory Review",
    "Date of Last Social Work Visit",
    "Date of Last Health Assessment",
    "Date Ceased to be Looked After",
    "Allocated Team",
    "Allocated Worker",
]


def build(path: Path, rows: int, number: int, *, changed: bool = False) -> None:
    from openpyxl import Workbook

    rng = random.Random(7)
    later = datetime.timedelta(days=30 if changed else 0)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"List {number}")
    sheet.append(LIST_6 if number == 6 else LIST_8)
    base = datetime.date(2010, 1, 1)
    teams = [f"Locality {n} Team" for n in range(1, 13)]
    workers = [f"Worker\xa0{n}" for n in range(1, 400)]
    for n in range(rows):
        born = base + datetime.timedelta(days=rng.randrange(5000))
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(600))
        seen = start + datetime.timedelta(days=rng.randrange(60)) + later
        sheet.append(
            [
                f"{n:07d}",
                rng.choice(["a) Male", "b) Female", "Male", "Female"]),
                rng.choice(["a) WBRI", "k) APKN", "s) NOBT"]),
                born,
                round((datetime.date(2026, 1, 1) - born).days / 365.25, 2),
                rng.choice(["a) Yes", "b) No"]),
                start,
                "N1 - Abuse or Neglect" if number == 6 else "C2: FCO",
                seen,
                seen if number == 8 else "",
                "",
                "c) Child in need plan" if number == 6 else "",
                rng.choice(teams),
                rng.choice(workers) + (" (moved)" if changed else ""),
            ][: len(LIST_6)]
        )
    book.save(path)


def _bare_read(path: Path, number: int, rows: int) -> float:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(str(path))
    data = workbook.get_sheet_by_name(f"List {number}").to_python()
    elapsed = time.perf_counter() - started
    if len(data) != rows + 1:
        raise SystemExit("the bare read did not see every row")
    return elapsed


BARE_PROCESS = """
import sys
from python_calamine import CalamineWorkbook
data = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name(sys.argv[2]).to_python()
assert len(data) > 1
"""


def _process(command: list[str]) -> tuple[float, float]:
    """A process's wall time, and its CPU time (user and system: on a shared machine, where
    waiting for a core swamps the wall time, the steadier figure; a PostgreSQL server's own
    work is not in it)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - ours
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _bare_process(path: Path, number: int) -> tuple[float, float]:
    return _process([sys.executable, "-c", BARE_PROCESS, str(path), f"List {number}"])


def _import_process(path: Path) -> tuple[float, float]:
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    return _process([sys.executable, str(manage), "import", "annex-a", str(path), "--json"])


def _forget_imports() -> None:
    """Remove what the imports wrote, so the next one starts from the same empty database."""
    from django.db import connection

    from auditloop.cases.models import ChildCase
    from auditloop.core.models import Event
    from auditloop.imports.models import ImportIssue, ImportRun

    for model in (ImportIssue, ImportRun, ChildCase):
        model.objects.all()._raw_delete(connection.alias)
    Event.objects.filter(verb__startswith="import.").delete()


def _measure_processes(first: Path, second: Path, rows: int, number: int, repeat: int) -> None:
    """Best of `repeat` whole processes: the bare read, a first import, a changed re-import."""
    from django.db import connections

    bare: list[tuple[float, float]] = []
    first_s: list[tuple[float, float]] = []
    changed_s: list[tuple[float, float]] = []
    for _ in range(repeat):
        connections.close_all()
        bare.append(_bare_process(first, number))
        first_s.append(_import_process(first))
        changed_s.append(_import_process(second))
        _forget_imports()
    bare_wall, bare_cpu = min(t[0] for t in bare), min(t[1] for t in bare)
    for label, timings in (("first", first_s), ("changed", changed_s)):
        whole, cpu = min(t[0] for t in timings), min(t[1] for t in timings)
        print(
            f"{rows:>7}  {label:<9} {bare_wall:>11.2f} {whole:>9.2f} "
            f"{whole / bare_wall:>5.1f}x {rows / whole:>8,.0f}   "
            f"{bare_cpu:>6.2f} {cpu:>6.2f} {cpu / bare_cpu:>5.1f}x"
        )


def _import(path: Path) -> Any:
    from auditloop.imports.models import ImportKind
    from auditloop.imports.services.runs import import_run

    return import_run(kind=ImportKind.ANNEX_A, files=[path])


def _measure(
    first: Path, second: Path | None, rows: int, *, traced: bool = False
) -> tuple[float, Any]:
    """One import of `first` (or, given `second`, of `second` after `first`), rolled back:
    its time, or its peak traced memory in bytes when `traced`."""
    from django.db import transaction

    with transaction.atomic():
        if second is not None:
            _import(first)
        path = second or first
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        result = _import(path)
        elapsed = time.perf_counter() - started
        if traced:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        transaction.set_rollback(True)
    expected = (0, rows) if second is not None else (rows, 0)
    if (result.created, result.updated) != expected:
        raise SystemExit(f"unexpected counts: {result.message}")
    return (peak if traced else elapsed), result


def _profile(first: Path, second: Path | None) -> None:
    import cProfile
    import pstats

    from django.db import transaction

    with transaction.atomic():
        if second is not None:
            _import(first)
        profiler = cProfile.Profile()
        profiler.enable()
        _import(second or first)
        profiler.disable()
        transaction.set_rollback(True)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--list", type=int, choices=[6, 8], default=6)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the best kept")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--processes",
        action="store_true",
        help="time whole processes instead (these imports commit)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="auditloop-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    database = f"{connection.vendor} {connection.get_database_version()}"
    print(f"database: {database}; python-calamine bare read is to_python() of the sheet")
    if args.processes:
        print("whole processes: a bare read's against `manage.py import annex-a FILE --json`")
    header = (
        f"{'rows':>7}  {'import':<9} {'bare read s':>11} {'import s':>9} {'ratio':>6} "
        f"{'rows/s':>8}"
        + (
            f"   {'bare cpu':>6} {'import cpu':>6} {'ratio':>6}"
            if args.processes
            else f" {'peak MB':>8}"
        )
    )
    print(header)
    files: dict[int, tuple[Path, Path]] = {}
    for rows in args.rows:
        first, second = workdir / f"annex_a_{rows}.xlsx", workdir / f"annex_a_{rows}_b.xlsx"
        build(first, rows, args.list)
        build(second, rows, args.list, changed=True)
        files[rows] = (first, second)
        if args.processes:
            _measure_processes(first, second, rows, args.list, args.repeat)
            continue
        # Best of `--repeat` for each, the bare read and the imports taken in turn, so that a
        # busy spell on these shared machines weighs on both sides of the ratio alike.
        bare, first_s, changed_s = [], [], []
        for _ in range(args.repeat):
            bare.append(_bare_read(first, args.list, rows))
            first_s.append(_measure(first, None, rows)[0])
            changed_s.append(_measure(first, second, rows)[0])
        for label, again, timings in (("first", None, first_s), ("changed", second, changed_s)):
            whole = min(timings)
            peak, _ = _measure(first, again, rows, traced=True)
            print(
                f"{rows:>7}  {label:<9} {min(bare):>11.2f} {whole:>9.2f} "
                f"{whole / min(bare):>5.1f}x {rows / whole:>8,.0f} {peak / 1024 / 1024:>8.1f}"
            )
    if args.profile:
        first, second = files[max(files)]
        print("\nprofile of the first import:")
        _profile(first, None)
        print("\nprofile of the changed re-import:")
        _profile(first, second)


if __name__ == "__main__":
    main()
