"""Crash test: kill the writing process at random moments and check nothing is half-written.

    .venv/bin/python scripts/crash_test.py [--database sqlite|postgres] [--rows 50000]
        [--kills 50] [--server-stops 10] [--only import audit draw month] [--seed 1] [--port 8341]

Four writes are each started in a process of their own and killed with SIGKILL at `--kills`
random moments (uniform over the time an uninterrupted run of the same process takes, start-up
included):

- import: `manage.py import annex-a` of an Annex A workbook of `--rows` rows. Two snapshots of
  the same children alternate (every row changes between them), so each run changes every case
  file; after a kill the case files must be exactly the last snapshot's (none of the file's
  changes) or the new one's (all of them), the import's run, issues and event must be there
  only with all of them, and the next import of the same file must succeed;
- audit: an auditor saving an audit's draft, again and again (each save a generation: every
  answer, the findings and the event count must be of one and the same generation);
- draw: a sample draw within a cycle that creates its audits (every draw must hold all its
  chosen cases, their audits and its one event);
- month: "Plan this month" for each month of a new cycle (every month planned holds each
  team's draw and audits and its one event; a month not planned holds nothing).

After each kill the same process is run again to the end and must succeed. On PostgreSQL the
script starts a throwaway server of its own (durable: fsync and synchronous commit on, ports
8340-8349) and also stops it with `pg_ctl -m immediate` at `--server-stops` random moments of
the import. It prints one line per write, e.g. "import: 50/50 clean", and exits 1 unless all
are clean. A small version runs in the test suite (`auditloop/tests/test_crash.py`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

WRITES = ("import", "audit", "draw", "month")
SAVES_PER_RUN = 5  # audit saves in one run of the audit process
DRAWS_PER_RUN = 3
DRAW_SIZE = 2
POSTGRES_PORT = 8341
VICTIM_APPLICATION = "auditloop-crash-victim"
# How long PostgreSQL may take to notice a killed victim and roll its transaction back (its
# last statement runs to its end first: seconds, or minutes on a starved machine).
SETTLE_SECONDS = 600


@dataclass
class Outcome:
    """The trials of one write: how many were clean, and what was wrong with the others."""

    write: str
    trials: int = 0
    clean: int = 0
    finished_before_kill: int = 0
    window: float = 0.0  # the kills land within this many seconds of the start
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.write}: {self.clean}/{self.trials} clean "
            f"({self.finished_before_kill} ran to the end before the kill)"
        )


# --- The processes that are killed --------------------------------------------------------


def _victim_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AUDITLOOP_IMPORT_MAX_ROWS": "1000000",
        "PYTHONUNBUFFERED": "1",
        # libpq's name for the victim's connections, so the checks can wait for them to end.
        "PGAPPNAME": VICTIM_APPLICATION,
    }


def _victim_command(write: str, args: list[str]) -> list[str]:
    if write == "import":
        return [sys.executable, str(ROOT / "manage.py"), "import", "annex-a", *args, "--json"]
    return [sys.executable, str(Path(__file__).resolve()), "victim", write, *args]


def victim(write: str, args: list[str]) -> None:
    """Run one write to the end (in a process of its own, to be killed)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from auditloop.accounts.models import StaffMember
    from auditloop.audits.models import Audit, Question, QuestionKind
    from auditloop.audits.services.audits import AnswerInput, audit_answers_save
    from auditloop.core.models import Event
    from auditloop.sampling.models import Cycle
    from auditloop.sampling.rules.draws import DrawSpec
    from auditloop.sampling.selectors.months import month_already_planned
    from auditloop.sampling.services.draws import DrawPlan, draw_save
    from auditloop.sampling.services.months import month_plan

    if write == "audit":
        audit = Audit.objects.select_related("auditor").get(public_id=args[0])
        questions = list(Question.objects.filter(section__version_id=audit.tool_version_id))
        for _ in range(int(args[1])):
            generation = _saves(audit) + 1
            label = f"crash test save {generation}"
            audit_answers_save(
                audit=audit,
                by=audit.auditor,
                answers={
                    q.pk: AnswerInput(
                        compliance="yes" if q.kind == QuestionKind.COMPLIANCE else "",
                        evidence=label,
                    )
                    for q in questions
                },
                strengths=label,
            )
            audit.refresh_from_db()
    elif write == "draw":
        cycle = Cycle.objects.get(public_id=args[0])
        lead = StaffMember.objects.get(pk=int(args[2]))
        tool = cycle.tools.get()
        for _ in range(int(args[1])):
            seed = Event.objects.filter(verb="sample.drawn").count() + 1
            draw_save(
                spec=DrawSpec(
                    seed=seed,
                    service_ids=tuple(cycle.services.values_list("pk", flat=True)),
                    exclude_months=0,
                    size=DRAW_SIZE,
                ),
                plan=DrawPlan(cycle, "dip_sample", tool, cycle.starts_on, create_audits=True),
                by=lead,
            )
    elif write == "month":
        cycle = Cycle.objects.get(public_id=args[0])
        lead = StaffMember.objects.get(pk=int(args[1]))
        tool = cycle.tools.get()
        for month in _months(cycle):
            if month_already_planned(cycle, month):
                continue
            month_plan(
                cycle=cycle,
                month=month,
                tools={"dip_sample": tool},
                seed=month.month,
                exclude_months=0,
                by=lead,
            )
    else:
        raise SystemExit(f"no such write: {write}")


def _saves(audit: Any) -> int:
    from auditloop.core.models import Event

    return Event.objects.filter(verb="audit.answers_saved", target_id=str(audit.public_id)).count()


def _months(cycle: Any) -> list[datetime.date]:
    month, months = cycle.starts_on.replace(day=1), []
    while month <= cycle.ends_on:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


# --- The database under test --------------------------------------------------------------


class Database:
    """Where the victims write. `before_check` brings what they wrote to this process's
    connection and `after_setup` what this process wrote to theirs (the test suite's SQLite
    database lives in this process's memory); `stop_server` and
    `start_server` exist only for a server of our own."""

    def __init__(self, url: str) -> None:
        self.url = url

    def before_check(self) -> None:
        pass

    def after_setup(self) -> None:
        pass

    def can_stop_server(self) -> bool:
        return False

    def stop_server(self) -> None:
        raise NotImplementedError

    def start_server(self) -> None:
        raise NotImplementedError


class OwnPostgres(Database):
    """A throwaway PostgreSQL server, durable as a real one (fsync and synchronous commit on),
    which this script may stop without warning."""

    def __init__(self, port: int = POSTGRES_PORT) -> None:
        self.port = port
        # Not inside the script's own folder: the server's user must be able to reach it.
        folder = Path(tempfile.mkdtemp(prefix="auditloop-crash-pg-"))
        initdb = shutil.which("initdb") or "/usr/lib/postgresql/15/bin/initdb"
        self.bin = Path(initdb).parent
        self.folder = folder
        self.data = folder / "data"
        super().__init__(f"postgres://postgres@127.0.0.1:{port}/postgres")
        if os.getuid() == 0:
            shutil.chown(folder, "postgres")
        self._run("initdb", f"--pgdata={self.data}", "--username=postgres", "--auth=trust")
        self.start_server()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.getuid() == 0:  # initdb refuses root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 - our own

    def can_stop_server(self) -> bool:
        return True

    def start_server(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl", f"--pgdata={self.data}", f"--log={self.folder / 'server.log'}", "--wait",
            "-o", options, "start",
        )  # fmt: skip

    def stop_server(self) -> None:
        self._run("pg_ctl", f"--pgdata={self.data}", "--mode=immediate", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop_server()
        shutil.rmtree(self.folder, ignore_errors=True)


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


# --- Killing ------------------------------------------------------------------------------


def _run_to_end(database: Database, write: str, args: list[str]) -> tuple[float, str]:
    _close_connections()
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - this script's own command line
        _victim_command(write, args),
        env=_victim_env(database.url),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{write} did not run to the end: {done.stderr[-2000:]}")
    return elapsed, done.stdout


def _crash(
    database: Database,
    write: str,
    args: list[str],
    at: float,
    *,
    stop_server: bool = False,
) -> bool:
    """Start the write and, `at` seconds later, SIGKILL it (or stop the database server at
    once). True when it had already finished."""
    _close_connections()
    process = subprocess.Popen(  # noqa: S603 - this script's own command line
        _victim_command(write, args),
        env=_victim_env(database.url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        process.wait(timeout=at)
        return True
    except subprocess.TimeoutExpired:
        pass
    if stop_server:
        database.stop_server()
        process.wait()
        database.start_server()
    else:
        process.send_signal(signal.SIGKILL)
        process.wait()
        _killed_connections_gone()
    return False


def _killed_connections_gone() -> None:
    """Wait until the database has let go of the killed victim's connections.

    SQLite's locks go with the process. PostgreSQL's server notices a client has gone only when
    it next reads from its socket: a statement running at the kill runs to its end first, and
    only then is the transaction rolled back and the import's lock let go of. Until then the
    import is shown as running, truthfully (its last statement is still being run), and the
    checks would see that moment, not the state the crash leaves."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = %s AND datname = current_database()"
                " AND pid <> pg_backend_pid()",  # this script's settings name it so too
                [VICTIM_APPLICATION],
            )
            (left,) = cursor.fetchone()
        if not left:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"PostgreSQL still ran the killed victim's connection after {SETTLE_SECONDS} s"
            )
        time.sleep(0.05)
    _close_connections()


# --- What the database must hold ----------------------------------------------------------


def case_files_fingerprint() -> str:
    """A digest of every case file's imported fields, in child ID order."""
    from auditloop.cases.models import ChildCase
    from auditloop.imports.services.cases import DATA_FIELDS

    digest = hashlib.sha256()
    rows = ChildCase.objects.order_by("la_child_id").values_list("la_child_id", *DATA_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def import_problems(
    expected_before: str, expected_after: str, digest: str, since: int
) -> tuple[str, list[str]]:
    """Whether the case files hold none ("none") or all ("all") of the import of the file
    with `digest` started after the import run `since`, and anything half-written."""
    from auditloop.core.models import Event
    from auditloop.imports.models import FINISHED_STATUSES, ImportIssue, ImportRun

    problems = []
    fingerprint = case_files_fingerprint()
    state = {expected_before: "none", expected_after: "all"}.get(fingerprint, "half")
    if state == "half":
        problems.append("the case files hold part of the file's changes")
    finished = ImportRun.objects.filter(status__in=FINISHED_STATUSES)
    this_file = finished.filter(pk__gt=since, digest=digest, status="imported").exists()
    if state == "none" and this_file:
        problems.append("the import is recorded as done but its changes are not there")
    if state == "all" and not this_file:
        problems.append("the changes are there but the import is not recorded as done")
    events = Event.objects.filter(verb__startswith="import.").exclude(verb="import.queued")
    if events.count() != finished.count():
        problems.append(f"{events.count()} import events for {finished.count()} finished imports")
    stray = ImportIssue.objects.exclude(run__status__in=FINISHED_STATUSES).count()
    if stray:
        problems.append(f"{stray} problems stored for an import that did not finish")
    # The killed import's run, left "running", must be shown as interrupted (nothing alive
    # holds it), never as running for ever.
    from auditloop.imports.selectors import import_runs_interrupted_shown

    left = list(ImportRun.objects.filter(pk__gt=since, status="running"))
    if any(run.status != "interrupted" for run in import_runs_interrupted_shown(left)):
        problems.append("the killed import's run is still shown as running")
    return state, problems


def audit_problems(public_id: str) -> list[str]:
    from auditloop.audits.models import Audit

    audit = Audit.objects.get(public_id=public_id)
    generation = _saves(audit)
    labels = set(audit.answers.values_list("evidence", flat=True))
    expected = {f"crash test save {generation}"} if generation else set()
    problems = []
    if labels != expected:
        problems.append(f"after {generation} saves the answers say {sorted(labels)}")
    if audit.strengths != (f"crash test save {generation}" if generation else ""):
        problems.append(f"after {generation} saves the findings say {audit.strengths!r}")
    return problems


def draws_problems() -> list[str]:
    """Every draw holds all its chosen cases, their audits and its one event, and every
    month planned its draws; nothing points at a draw that is not there."""
    from django.db.models import Count, Q

    from auditloop.audits.models import Audit
    from auditloop.core.models import Event
    from auditloop.sampling.models import Cycle, CycleAudit, SampleDraw

    problems = []
    draws = SampleDraw.objects.annotate(
        chosen_n=Count("chosen", distinct=True),
        unassigned_n=Count("chosen", filter=~Q(chosen__unassigned_reason=""), distinct=True),
        audits_n=Count("cycle_audits", distinct=True),
    )
    for draw in draws:
        if draw.chosen_n != draw.size:
            problems.append(f"a draw of {draw.size} holds {draw.chosen_n} cases")
        if draw.cycle_id and draw.audits_n + draw.unassigned_n != draw.size:
            problems.append(f"a draw of {draw.size} planned {draw.audits_n} audits")
        if draw.quota_team_id and "quota" not in draw.filters:
            problems.append("a team's draw for a month lacks its quota")
    drawn = set(Event.objects.filter(verb="sample.drawn").values_list("target_id", flat=True))
    stored = {
        str(public_id) for public_id in SampleDraw.objects.values_list("public_id", flat=True)
    }
    if drawn != stored:
        problems.append(f"{len(drawn)} draw events for {len(stored)} draws")
    # The one audit planned by hand is the one the audit saves write to.
    if Audit.objects.filter(cycle_link__isnull=True, audit_type="dip_sample").count() > 1:
        problems.append("an audit was planned without its draw")
    for cycle in Cycle.objects.all():
        planned = {
            datetime.date.fromisoformat(e.after["month"]): e.after["audits"]
            for e in Event.objects.filter(
                verb="cycle.month_planned", target_id=str(cycle.public_id)
            )
        }
        drawn_months = set(
            cycle.draws.filter(quota_team__isnull=False).values_list("planned_month", flat=True)
        )
        if drawn_months != set(planned):
            problems.append(
                f"months planned {sorted(planned)} but drawn {sorted(map(str, drawn_months))}"
            )
        for month, audits in planned.items():
            linked = CycleAudit.objects.filter(
                cycle=cycle, planned_month=month, draw__quota_team__isnull=False
            ).count()
            if linked != audits:
                problems.append(f"{month:%B %Y} planned {audits} audits and holds {linked}")
    return problems


# --- The trials ---------------------------------------------------------------------------


def _trial_times(rng: random.Random, longest: float, kills: int) -> Iterator[float]:
    for _ in range(kills):
        yield rng.uniform(0, longest)


def crash_imports(
    database: Database,
    files: tuple[Path, Path],
    *,
    kills: int,
    server_stops: int,
    rng: random.Random,
    say: Callable[[str], None] = print,
) -> list[Outcome]:
    """Import the two snapshots in turn, killing each import once, then running it again."""
    database.before_check()
    first = case_files_fingerprint()
    _run_to_end(database, "import", [str(files[0])])
    database.before_check()
    fingerprints = {files[0]: case_files_fingerprint()}
    longest, _ = _run_to_end(database, "import", [str(files[1])])
    database.before_check()
    fingerprints[files[1]] = case_files_fingerprint()
    if len({first, *fingerprints.values()}) != 3:
        raise RuntimeError("the two snapshots must each change every case file")
    say(f"import: an uninterrupted import takes {longest:.1f} s as a whole process")
    outcomes = [Outcome("import", window=longest)]
    if server_stops and database.can_stop_server():
        outcomes.append(Outcome("import (server stopped)", window=longest))
    current = files[1]
    for outcome in outcomes:
        stop = outcome.write != "import"
        for at in _trial_times(rng, longest, server_stops if stop else kills):
            target = files[0] if current == files[1] else files[1]
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            since = _last_import_run()
            finished = _crash(database, "import", [str(target)], at, stop_server=stop)
            database.before_check()
            state, problems = import_problems(
                fingerprints[current], fingerprints[target], digest, since
            )
            try:
                _run_to_end(database, "import", [str(target)])
            except RuntimeError as exc:
                problems.append(f"the next import of the same file failed: {exc}")
            database.before_check()
            if case_files_fingerprint() != fingerprints[target]:
                problems.append("the next import of the same file did not give its case files")
            current = target
            _record(outcome, at, finished, problems, say, state)
        say(outcome.line())
    return outcomes


def _last_import_run() -> int:
    from django.db.models import Max

    from auditloop.imports.models import ImportRun

    return ImportRun.objects.aggregate(last=Max("pk"))["last"] or 0


def crash_writes(
    database: Database,
    write: str,
    *,
    kills: int,
    rng: random.Random,
    args: Callable[[], list[str]],
    again: Callable[[list[str]], list[str]],
    check: Callable[[list[str]], list[str]],
    window: float | None = None,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Kill a run of `write` at random moments (within `window` seconds of its start, or of
    the time an uninterrupted run takes); after each, check, and run it again."""
    if window is None:
        window, _ = _run_to_end(database, write, args())
        say(f"{write}: an uninterrupted run takes {window:.1f} s as a whole process")
    outcome = Outcome(write, window=window)
    longest = window
    for at in _trial_times(rng, longest, kills):
        these = args()
        finished = _crash(database, write, these, at)
        database.before_check()
        problems = check(these)
        try:
            _run_to_end(database, write, again(these))
        except RuntimeError as exc:
            problems.append(f"running it again failed: {exc}")
        database.before_check()
        problems += check(these)
        _record(outcome, at, finished, problems, say)
    say(outcome.line())
    return outcome


def _record(
    outcome: Outcome,
    at: float,
    finished: bool,
    problems: list[str],
    say: Callable[[str], None],
    state: str = "",
) -> None:
    outcome.trials += 1
    outcome.finished_before_kill += finished
    moment = "after it finished" if finished else f"at {at:.2f} s"
    if problems:
        outcome.problems += problems
        say(f"  {outcome.write} killed {moment}: NOT CLEAN: {'; '.join(problems)}")
    else:
        outcome.clean += 1
        held = f", {state} of its changes" if state else ""
        say(f"  {outcome.write} killed {moment}: clean{held} ({outcome.clean}/{outcome.trials})")


# --- The council the writes work on -------------------------------------------------------


@dataclass
class Council:
    audit: str
    draw_cycle: str
    lead: int
    new_month_cycle: Callable[[], str]


def council_build(cases: int = 400) -> Council:
    """The test personas, `cases` open cases in North's two teams, an audit to save, a cycle
    to draw from, and a way to make a new cycle with a per-team quota to plan."""
    from auditloop.audits.services.planning import audit_create
    from auditloop.cases.models import ChildCase, Cohort
    from auditloop.sampling.models import QuotaKind
    from auditloop.sampling.services.cycles import cycle_create, quota_add
    from auditloop.testing import build_personas

    p = build_personas()
    ChildCase.objects.bulk_create(
        ChildCase(
            la_child_id=f"CRASH{n:05}",
            cohort=Cohort.CP,
            allocated_team=p.north_a if n % 2 else p.north_b,
            is_open=True,
        )
        for n in range(cases)
    )
    audit = audit_create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type="dip_sample",
        auditor=p.auditor,
        by=p.moderator,
    )
    from django.utils import timezone

    start = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    made = [0]

    def cycle(quota: bool) -> str:
        made[0] += 1
        created = cycle_create(
            name=f"Crash test cycle {made[0]}",
            services=[p.north],
            starts_on=start,
            tools=[p.compliance_tool],
            audit_types=["dip_sample"],
            auditors=[p.auditor, p.team_manager],
            by=p.moderator,
        )
        if quota:
            kind = QuotaKind.PER_TEAM
            quota_add(
                cycle=created, kind=kind, audit_type="dip_sample", per_month=1, by=p.moderator
            )
        return str(created.public_id)

    return Council(
        audit=str(audit.public_id),
        draw_cycle=cycle(quota=False),
        lead=p.moderator.pk,
        new_month_cycle=lambda: cycle(quota=True),
    )


def crash_all(
    database: Database,
    council: Council,
    files: tuple[Path, Path] | None,
    *,
    writes: tuple[str, ...] = WRITES,
    kills: int,
    write_kills: int | None = None,
    window: float | None = None,
    server_stops: int = 0,
    seed: int = 1,
    say: Callable[[str], None] = print,
) -> list[Outcome]:
    """Crash each of `writes`: `kills` times (`write_kills` for the writes other than the
    import), each within `window` seconds of its start when given, or else of the time an
    uninterrupted run of it takes (or, with `window` 0, of the import's)."""
    rng = random.Random(seed)
    others = kills if write_kills is None else write_kills
    outcomes: list[Outcome] = []
    if "import" in writes and files is not None:
        outcomes += crash_imports(
            database, files, kills=kills, server_stops=server_stops, rng=rng, say=say
        )
        if window == 0:
            window = outcomes[0].window
    if "audit" in writes:
        outcomes.append(
            crash_writes(
                database,
                "audit",
                kills=others,
                window=window,
                rng=rng,
                args=lambda: [council.audit, str(SAVES_PER_RUN)],
                again=lambda these: [council.audit, "1"],
                check=lambda these: audit_problems(council.audit),
                say=say,
            )
        )
    if "draw" in writes:
        draw_args = [council.draw_cycle, str(DRAWS_PER_RUN), str(council.lead)]
        outcomes.append(
            crash_writes(
                database,
                "draw",
                kills=others,
                window=window,
                rng=rng,
                args=lambda: draw_args,
                again=lambda these: [council.draw_cycle, "1", str(council.lead)],
                check=lambda these: draws_problems(),
                say=say,
            )
        )
    if "month" in writes:

        def new_cycle() -> list[str]:
            # A cycle of its own for each run, so every run has months to plan.
            database.before_check()
            cycle = council.new_month_cycle()
            database.after_setup()
            return [cycle, str(council.lead)]

        outcomes.append(
            crash_writes(
                database,
                "month",
                kills=others,
                window=window,
                rng=rng,
                args=new_cycle,
                again=lambda these: these,
                check=lambda these: draws_problems(),
                say=say,
            )
        )
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--server-stops", type=int, default=10)
    parser.add_argument("--only", nargs="+", choices=WRITES, default=list(WRITES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=POSTGRES_PORT, help="of its PostgreSQL")
    args = parser.parse_args()

    # Stopped with SIGTERM, still stop the server and remove the folders (the `finally`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="auditloop-crash-"))
    server: OwnPostgres | None = None
    if args.database == "postgres":
        server = OwnPostgres(args.port)
        database: Database = server
    else:
        database = Database(f"sqlite:///{workdir / 'crash.sqlite3'}")
    try:
        os.environ.update(_victim_env(database.url))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor} {connection.get_database_version()}")
        council = council_build()
        files = None
        if "import" in args.only:
            from benchmark_import import build

            files = (workdir / "snapshot_a.xlsx", workdir / "snapshot_b.xlsx")
            build(files[0], args.rows, 6)
            build(files[1], args.rows, 6, changed=True)
            print(f"import: two snapshots of {args.rows:,} rows")
        outcomes = crash_all(
            database,
            council,
            files,
            writes=tuple(args.only),
            kills=args.kills,
            server_stops=args.server_stops,
            seed=args.seed,
        )
        print("\nall together:")
        for outcome in outcomes:
            print(outcome.line())
        return 0 if all(o.clean == o.trials for o in outcomes) else 1
    finally:
        _close_connections()
        if server is not None:
            server.remove()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "victim":
        victim(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(main())
