"""The unusual reading report counts and judges each reader's day in the database, by the same
rule as the pure `unusual_days`: on councils drawn at random (readers in a few teams and
services, children placed in them, audits done, moderated or taken part in, reads of case
files and audits over two days) the two flag the same days with the same counts."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditloop.accounts.models import Role, Service, StaffMember, Team, User
from auditloop.accounts.selectors import service_ids_overseen_with
from auditloop.assurance.models import Moderation, ModerationReason
from auditloop.audits.models import Audit, Participant, ParticipantRole
from auditloop.audits.tests.plans import plan_nodes
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.accesslog import Purpose
from auditloop.core.models import AccessLog
from auditloop.privacy.models import ReadingThresholds
from auditloop.privacy.rules.accessreview import ChildPlace, ReaderScope, Thresholds, unusual_days
from auditloop.privacy.selectors.accessreview import unusual_reading
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 30)
DAYS = [DAY - datetime.timedelta(days=1), DAY]
ROLES = [Role.PRACTITIONER, Role.TEAM_MANAGER, Role.AUDITOR, Role.MODERATOR, Role.SENIOR_LEADER]
READERS = 4
CHILDREN = 10


@dataclass(frozen=True)
class Reader:
    role: str
    team: int | None  # 0..2: teams 0 and 1 in service 0, team 2 in service 1
    services: frozenset[int]


@dataclass(frozen=True)
class Child:
    team: int | None
    worker: int | None  # a reader, by index


@dataclass(frozen=True)
class Council:
    readers: list[Reader]
    children: list[Child]
    # (child, auditor, moderator, participant), people by index
    audits: list[tuple[int, int | None, int | None, int | None]]
    # (reader, day, child, through an audit of the child rather than the case file)
    reads: list[tuple[int, datetime.date, int, bool]]


def service_of(team: int) -> int:
    return 0 if team < 2 else 1


readers = st.builds(
    Reader,
    role=st.sampled_from(ROLES),
    team=st.none() | st.integers(0, 2),
    services=st.frozensets(st.integers(0, 1), max_size=1),
)
people = st.none() | st.integers(0, READERS - 1)
councils = st.builds(
    Council,
    readers=st.lists(readers, min_size=READERS, max_size=READERS),
    children=st.lists(
        st.builds(Child, team=st.none() | st.integers(0, 2), worker=people),
        min_size=CHILDREN,
        max_size=CHILDREN,
    ),
    audits=st.lists(st.tuples(st.integers(0, CHILDREN - 1), people, people, people), max_size=6),
    reads=st.lists(
        st.tuples(
            st.integers(0, READERS - 1),
            st.sampled_from(DAYS),
            st.integers(0, CHILDREN - 1),
            st.booleans(),
        ),
        max_size=40,
    ),
)
thresholds = st.builds(
    Thresholds,
    cases_per_day=st.integers(1, 5),
    exempt_roles=st.frozensets(st.sampled_from([str(r) for r in ROLES]), max_size=2),
)


@dataclass(frozen=True)
class Built:
    teams: list[Team]
    staff: list[StaffMember]
    cases: list[ChildCase]


def council_build(p: Personas, council: Council) -> Built:
    """The council in the database, beside the personas' (who read nothing)."""
    services = [Service.objects.create(name=f"Drawn service {i}") for i in range(2)]
    teams = [
        Team.objects.create(service=services[service_of(i)], name=f"Drawn team {i}")
        for i in range(3)
    ]
    staff = []
    for i, reader in enumerate(council.readers):
        member = StaffMember.objects.create(
            user=User.objects.create_user(username=f"drawn{i}"),
            name=f"Drawn reader {i}",
            role=reader.role,
            team=None if reader.team is None else teams[reader.team],
        )
        member.services.set([services[s] for s in reader.services])
        staff.append(member)
    cases = [
        ChildCase.objects.create(
            la_child_id=f"DRAWN{i}",
            cohort=Cohort.CIN,
            allocated_team=None if child.team is None else teams[child.team],
            allocated_worker=None if child.worker is None else staff[child.worker],
        )
        for i, child in enumerate(council.children)
    ]
    audits = []
    for child, auditor, moderator, participant in council.audits:
        audit = Audit.objects.create(
            case=cases[child],
            tool_version=p.compliance_tool,
            auditor=p.auditor if auditor is None else staff[auditor],
            practitioner=p.practitioner,
            team=p.north_a,
        )
        if moderator is not None:
            Moderation.objects.create(
                audit=audit, reason=ModerationReason.RANDOM, moderator=staff[moderator]
            )
        if participant is not None:
            Participant.objects.create(
                audit=audit, staff=staff[participant], role=ParticipantRole.OTHER
            )
        audits.append(audit)
    first_audit = {audit.case_id: audit for audit in reversed(audits)}
    rows = []
    for index, day, child, of_audit in council.reads:
        case = cases[child]
        target: ChildCase | Audit = first_audit.get(case.pk, case) if of_audit else case
        at = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        rows.append(
            AccessLog(
                user=staff[index].user,
                target_type=target._meta.label_lower,
                target_id=str(target.public_id),
                purpose=Purpose.VIEW,
                at=at,
            )
        )
    AccessLog.objects.bulk_create(rows)
    return Built(teams=teams, staff=staff, cases=cases)


def by_the_pure_rule(
    council: Council, built: Built, rule: Thresholds
) -> list[tuple[int, datetime.date, int, int]]:
    """The flagged days as `unusual_days` finds them, told the council as it was drawn."""
    staff, cases, teams = built.staff, built.cases, built.teams
    own_cases: dict[int, set[int]] = {i: set() for i in range(READERS)}
    for child, *involved in council.audits:
        for person in involved:
            if person is not None:
                own_cases[person].add(cases[child].pk)
    scopes = {
        staff[i].pk: ReaderScope(
            staff_id=staff[i].pk,
            role=reader.role,
            team_id=None if reader.team is None else teams[reader.team].pk,
            service_ids=frozenset(
                service_ids_overseen_with(
                    reader.role,
                    None if reader.team is None else teams[reader.team],
                    [teams[2 * s].service_id for s in reader.services],
                )
            ),
            case_ids=frozenset(own_cases[i]),
        )
        for i, reader in enumerate(council.readers)
    }
    places = {
        case.pk: ChildPlace(
            case_id=case.pk,
            team_id=None if child.team is None else teams[child.team].pk,
            service_id=None if child.team is None else teams[child.team].service_id,
            worker_id=None if child.worker is None else staff[child.worker].pk,
        )
        for case, child in zip(cases, council.children, strict=True)
    }
    reads = [(staff[r].pk, day, cases[c].pk) for r, day, c, _ in council.reads]
    flagged = unusual_days(reads, readers=scopes, places=places, thresholds=rule)
    return [(d.staff_id, d.day, d.outside, d.children) for d in flagged]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(council=councils, rule=thresholds)
def test_the_database_flags_the_same_days_as_the_pure_rule(
    p: Personas, council: Council, rule: Thresholds
) -> None:
    with transaction.atomic():
        built = council_build(p, council)
        saved = ReadingThresholds(
            pk=1, cases_per_day=rule.cases_per_day, exempt_roles=sorted(rule.exempt_roles)
        )
        with CaptureQueriesContext(connection) as queries:
            rows = unusual_reading(
                p.data_protection, date_from=DAYS[0], date_to=DAYS[1], thresholds=saved
            )
        found = [(r.day.staff_id, r.day.day, r.day.outside, r.day.children) for r in rows]

        assert found == by_the_pure_rule(council, built, rule)
        # The days are counted in one query, and the flagged readers (if any) named in another.
        assert len(queries.captured_queries) == (2 if found else 1)
        transaction.set_rollback(True)


# A reader in team 0 reads three children of team 2 in a day: outside their own by where the
# children are, but they took part in an audit of the second, which makes that child theirs.
LOOKED_UP = Council(
    readers=[
        Reader(Role.PRACTITIONER, team=0, services=frozenset()),
        Reader(Role.PRACTITIONER, team=0, services=frozenset()),
        Reader(Role.AUDITOR, team=2, services=frozenset()),
        Reader(Role.MODERATOR, team=2, services=frozenset()),
    ],
    children=[Child(team=2, worker=None) for _ in range(3)],
    audits=[(1, 2, 3, 0)],
    reads=[(0, DAY, child, False) for child in range(3)],
)


def _flagged(p: Personas, per_day: int) -> tuple[list[tuple[int, int, int]], str]:
    """The flagged days as (reader, children outside, children) with readers by index, and the
    statement that counted them."""
    built = council_build(p, LOOKED_UP)
    saved = ReadingThresholds(pk=1, cases_per_day=per_day, exempt_roles=[])
    with CaptureQueriesContext(connection) as queries:
        rows = unusual_reading(p.data_protection, date_from=DAY, date_to=DAY, thresholds=saved)
    index = {member.pk: i for i, member in enumerate(built.staff)}
    found = [(index[r.reader.pk], r.day.outside, r.day.children) for r in rows]
    return found, queries.captured_queries[0]["sql"]


@pytest.mark.parametrize(
    ("per_day", "flagged"),
    [(4, []), (3, []), (2, [(0, 2, 3)])],
    ids=["below the threshold however judged", "brought below it by an audit", "reaching it"],
)
def test_a_child_whose_audit_the_reader_took_part_in_is_their_own_on_a_day_near_the_threshold(
    p: Personas, per_day: int, flagged: list[tuple[int, int, int]]
) -> None:
    with transaction.atomic():
        assert _flagged(p, per_day)[0] == flagged
        transaction.set_rollback(True)


def _tables_read(sql: str) -> set[str]:
    """The tables PostgreSQL read running `sql` (EXPLAIN ANALYZE: a node never executed has
    looped no times)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (row,) = cursor.fetchall()
    plan = (json.loads(row[0]) if isinstance(row[0], str) else row[0])[0]["Plan"]
    return {
        node["Relation Name"]
        for node in plan_nodes(plan)
        if "Relation Name" in node and node["Actual Loops"] > 0
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The plan checked is PostgreSQL's (DATABASE_URL=postgres://... to run it)",
)
def test_who_audited_whom_is_looked_up_only_once_a_day_may_reach_the_threshold(
    p: Personas,
) -> None:
    """The moderations and participants of every audit of the council were read on every
    request (the national council's 300,000 (child, member of staff) pairs made distinct on
    disk), even when no reader's day came near the threshold; an audit only makes a child more
    a reader's own, so they are asked only about the children of days that reach it without."""
    who_audited = {Moderation._meta.db_table, Participant._meta.db_table}
    read: dict[int, set[str]] = {}
    for per_day in (4, 3):
        with transaction.atomic():
            found, sql = _flagged(p, per_day)
            assert found == []
            read[per_day] = who_audited & _tables_read(sql)
            transaction.set_rollback(True)
    # No day reaches 4 however judged; the reader's day reaches 3 until their audit is found.
    assert read == {4: set(), 3: who_audited}
