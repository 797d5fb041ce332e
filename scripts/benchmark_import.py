"""Benchmark the Annex A import against a bare python-calamine read of the same file.

    .venv/bin/python scripts/benchmark_import.py [--rows 10000 50000] [--list 6|8] [--profile]
        [--processes] [--existing 400000]

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
(start-up, settings, checks, reading, writing; the app's modules compiled beforehand, as the
image does), and their ratio (goal: within 4x); then the
same for their CPU time (user and system), steadier than the wall time on a shared machine
(a PostgreSQL server's own work is not in it). These imports commit; the case files, runs,
issues and events they wrote (and only those) are removed after each run (untimed, but each
run's times and its clean-up's are printed as they come).

With --existing N, the database first holds N open case files that no Annex A snapshot listed
(a region's other cases: ids "REGION0000001"..., added by one INSERT ... SELECT and kept for the
next run; a database that already holds them is reused), so that an import's time can be
compared with and without a region's cases beside it: it should depend on the file and the
cases the snapshot governs, not on the whole table. Use a throwaway database.
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


EXISTING_PREFIX = "REGION"


def _add_existing(count: int) -> None:
    """Make the database hold `count` open case files with the benchmark's own "REGION" ids, none
    listed by an Annex A snapshot, spread over 48 teams; one INSERT ... SELECT of a series."""
    from django.db import connection, transaction

    from auditloop.accounts.models import Service, Team
    from auditloop.cases.models import ChildCase

    have = ChildCase.objects.filter(la_child_id__startswith=EXISTING_PREFIX).count()
    if have >= count:
        print(f"existing: {have:,} case files of a region's ({EXISTING_PREFIX}...), reused")
        return
    started = time.perf_counter()
    service = Service.objects.get_or_create(name="Benchmark region")[0]
    teams = [
        Team.objects.get_or_create(service=service, name=f"Benchmark region team {n}")[0].pk
        for n in range(1, 49)
    ]
    # The series and the team are the statement's own; nothing comes from outside.
    if connection.vendor == "postgresql":
        series = "SELECT i FROM generate_series(%s, %s) AS i"
        public_id = "gen_random_uuid()"
        team = f"(ARRAY{teams})[1 + i %% {len(teams)}]"
        child_id = f"'{EXISTING_PREFIX}' || lpad(i::text, 7, '0')"
    else:
        series = (
            "WITH RECURSIVE n(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            "SELECT i FROM n"
        )
        public_id = "lower(hex(randomblob(16)))"
        team = f"json_extract('{teams}', '$[' || (i %% {len(teams)}) || ']')"
        child_id = f"'{EXISTING_PREFIX}' || substr('0000000' || i, -7, 7)"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ChildCase._meta.db_table} (public_id, la_child_id, cohort, "  # noqa: S608
            "allocated_team_id, allocated_team_name, allocated_worker_name, gender, ethnicity, "
            "disability, source_lists, is_open, created_at, updated_at) "
            f"SELECT {public_id}, {child_id}, 'CP', {team}, '', '', '', '', '', '', %s, "
            f"%s, %s FROM ({series}) AS s",
            [True, *[connection.ops.adapt_datetimefield_value(_now())] * 2, have + 1, count],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"existing: added {count - have:,} case files of a region's ({EXISTING_PREFIX}...) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def _now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now()


def _workbook_ids(rows: int) -> list[str]:
    return [f"{n:07d}" for n in range(rows)]


class _Marks:
    """The highest import run and event ids before the benchmark's imports, so that only what
    they wrote is removed after."""

    def __init__(self) -> None:
        from django.db.models import Max

        from auditloop.core.models import Event
        from auditloop.imports.models import ImportRun

        self.run = ImportRun.objects.aggregate(top=Max("id"))["top"] or 0
        self.event = Event.objects.aggregate(top=Max("id"))["top"] or 0


def _refuse_taken_ids(rows: int) -> None:
    from auditloop.cases.models import ChildCase

    ids = _workbook_ids(rows)
    for start in range(0, len(ids), 5000):
        if ChildCase.objects.filter(la_child_id__in=ids[start : start + 5000]).exists():
            raise SystemExit(
                "The database already holds case files with the benchmark's child IDs "
                "(0000000...): use a throwaway database."
            )


def _forget_imports(marks: _Marks, rows: int) -> None:
    """Remove what the imports wrote (their case files, runs, issues and events), and nothing
    else, so the next run starts from the same database.

    The case files go without PostgreSQL's foreign key checks where the login may (a
    superuser's throwaway server): each deleted case file is otherwise looked for among every
    draw's frozen population, whose case column has no index (the product never deletes a
    case file), which on a database holding a national draw took about 50 ms a case file, and
    made this clean-up, not the import, run for hours. Nothing can refer to these case files:
    this benchmark's imports made them moments ago."""
    from django.db import DatabaseError, connection, transaction

    from auditloop.cases.models import ChildCase
    from auditloop.core.models import Event
    from auditloop.imports.models import ImportIssue, ImportRun

    ids = _workbook_ids(rows)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            except DatabaseError:
                pass  # not a superuser: the checks run, slowly if draws are stored
        for start in range(0, len(ids), 5000):
            ChildCase.objects.filter(la_child_id__in=ids[start : start + 5000])._raw_delete(
                connection.alias
            )
        ImportIssue.objects.filter(run_id__gt=marks.run)._raw_delete(connection.alias)
        ImportRun.objects.filter(id__gt=marks.run)._raw_delete(connection.alias)
        Event.objects.filter(id__gt=marks.event, verb__startswith="import.")._raw_delete(
            connection.alias
        )


def _compile_app() -> None:
    """Compile the app's modules first, as the image does (Dockerfile): where
    PYTHONDONTWRITEBYTECODE is set, as on the machines these figures were first taken on,
    each import process would otherwise compile the whole app from source as it starts,
    which the bare read's process never does."""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for folder in ("config", "auditloop"):
        compileall.compile_dir(root / folder, quiet=1)


def _measure_processes(first: Path, second: Path, rows: int, number: int, repeat: int) -> None:
    """Best of `repeat` whole processes: the bare read, a first import, a changed re-import."""
    from django.db import connections

    bare: list[tuple[float, float]] = []
    first_s: list[tuple[float, float]] = []
    changed_s: list[tuple[float, float]] = []
    marks = _Marks()
    for run in range(1, repeat + 1):
        connections.close_all()
        bare.append(_bare_process(first, number))
        first_s.append(_import_process(first))
        changed_s.append(_import_process(second))
        started = time.perf_counter()
        _forget_imports(marks, rows)
        print(
            f"  run {run}: bare {bare[-1][0]:.2f} s, first {first_s[-1][0]:.2f} s, "
            f"changed {changed_s[-1][0]:.2f} s (clean-up {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
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
    parser.add_argument(
        "--existing",
        type=int,
        default=0,
        metavar="N",
        help="first make the database hold N open case files no snapshot listed (a region's)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="auditloop-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from auditloop.cases.models import ChildCase

    call_command("migrate", verbosity=0)
    if args.existing:
        _add_existing(args.existing)
    _refuse_taken_ids(max(args.rows))
    database = f"{connection.vendor} {connection.get_database_version()}"
    print(f"database: {database}; python-calamine bare read is to_python() of the sheet")
    cases = ChildCase.objects.count()
    print(f"case files in the database before the imports: {cases:,}")
    if args.processes:
        _compile_app()
        print(
            "whole processes: a bare read's against `manage.py import annex-a FILE --json` "
            "(the app's modules compiled first, as the image does)"
        )
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
