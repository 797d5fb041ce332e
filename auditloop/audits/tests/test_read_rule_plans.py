"""At regional scale the read rules of audits and actions are found by index, never by reading
every row of the table.

The rules (`audit_visibility_filter`, `action_visibility_filter`) are the union of parts that
each start from an index (an auditor, a practitioner, a team, one person's participations, an
action's owner or creator). Written as one OR across joined tables, PostgreSQL read all of the
national council's 200,000 audits (or walked all 220,000 actions in due-date order) to find a
manager's few: two seconds a page.

PostgreSQL chooses a plan by the sizes of the tables, so the test builds a council big enough
for the planner to care (tens of thousands of cases, audits, actions and participations over
forty teams, written in a few SQL statements), refreshes the planner's statistics, asks the
lists as the roles whose rule picks a few rows, and EXPLAINs every query they ran that reads
the table: no plan may scan the whole of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.audits.access.audits import audit_readable, audit_visibility_filter
from auditloop.audits.models import Action, Audit
from auditloop.audits.tests.plans import plan_nodes, query_plan
from auditloop.core.planner import planner_statistics_refresh
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The query plan checked is PostgreSQL's (DATABASE_URL=postgres://... to run it)",
)

TEAMS = 40
CASES = 40_000
AUDIT_TABLE = "audits_audit"
ACTION_TABLE = "audits_action"


def _regional_council(p: Personas) -> None:
    """A region beside the personas' council: TEAMS teams of their own service with two
    practitioners and an auditor each, CASES open cases over them, an audit of every other
    case at every status (a few of them the personas' audits), a deep-dive participant and an
    action on each audit."""
    service = Service.objects.create(name="Region")
    teams = Team.objects.bulk_create(
        Team(service=service, name=f"Region team {n}") for n in range(TEAMS)
    )
    people = StaffMember.objects.bulk_create(
        StaffMember(name=f"Region {role} {n}", role=role, team=team)
        for n, team in enumerate(teams)
        for role in (Role.PRACTITIONER, Role.PRACTITIONER, Role.AUDITOR)
    )
    team_ids = [t.pk for t in teams] + [p.north_a.pk, p.north_b.pk, p.south_a.pk]
    practitioners = [s.pk for s in people if s.role == Role.PRACTITIONER]
    practitioners += [p.practitioner.pk, p.outsider.pk]
    auditors = [s.pk for s in people if s.role == Role.AUDITOR] + [p.auditor.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_childcase (
                public_id, la_child_id, cohort, allocated_team_id, allocated_worker_name, gender,
                ethnicity, disability, is_open, source_lists, allocated_team_name,
                created_at, updated_at)
            SELECT gen_random_uuid(), 'R' || lpad(i::text, 7, '0'), 'CP',
                   (%s::int[])[1 + i %% %s], '', '', '', '', true, '', '', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [team_ids, len(team_ids), CASES],
        )
        # Each statement below joins what the one before wrote: planned with the statistics of
        # tables autovacuum last saw empty (whether it has looked yet depends on the moment),
        # a join of 40,000 cases to 20,000 audits was once a nested loop of scans, minutes long.
        planner_statistics_refresh()
        cursor.execute(
            """
            INSERT INTO audits_audit (
                public_id, case_id, tool_version_id, audit_type, theme, status, auditor_id,
                practitioner_id, team_id, revisit_reason, strengths, areas_for_development,
                impact_on_child, practitioner_reflection, return_reason, created_at,
                submitted_at)
            SELECT gen_random_uuid(), c.id, %s, 'dip_sample', '',
                   (ARRAY['planned', 'in_progress', 'submitted', 'completed'])[1 + c.n %% 4],
                   (%s::int[])[1 + c.n %% %s], (%s::int[])[1 + c.n %% %s],
                   c.allocated_team_id, '', repeat('Strengths of the work. ', 70), '', '', '',
                   '', now() - c.n * interval '1 hour',
                   CASE WHEN c.n %% 4 >= 2 THEN now() - c.n * interval '1 hour' END
            FROM (SELECT id, allocated_team_id, row_number() OVER (ORDER BY id) AS n
                  FROM cases_childcase WHERE la_child_id LIKE 'R%%') AS c
            WHERE c.n %% 2 = 0
            """,
            [
                p.compliance_tool.pk,
                auditors,
                len(auditors),
                practitioners,
                len(practitioners),
            ],
        )
        planner_statistics_refresh()
        cursor.execute(
            """
            INSERT INTO audits_participant (audit_id, staff_id, role, contribution)
            SELECT a.id, (%s::int[])[1 + a.id %% %s], 'manager', ''
            FROM audits_audit a JOIN cases_childcase c ON c.id = a.case_id
            WHERE c.la_child_id LIKE 'R%%'
            """,
            [practitioners, len(practitioners)],
        )
        cursor.execute(
            """
            INSERT INTO audits_action (
                public_id, audit_id, description, due_date, status, completion_evidence,
                created_at, owner_id, cancel_reason, sent_back_reason)
            SELECT gen_random_uuid(), a.id, repeat('Update the plan. ', 50),
                   current_date + (a.id %% 90)::int, 'open', '', now(), a.practitioner_id, '', ''
            FROM audits_audit a JOIN cases_childcase c ON c.id = a.case_id
            WHERE c.la_child_id LIKE 'R%%'
            """,
            [],
        )
        planner_statistics_refresh()


@pytest.fixture(scope="module")
def region(module_personas: Personas | None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The region, built once for the module's tests (they only read it) beside the personas
    they share, and rolled back at the module's end: each build is tens of thousands of rows
    and a refresh of the planner's statistics, seconds on a loaded machine."""
    assert module_personas is not None, "the module's tests share the personas"
    with django_db_blocker.unblock(), transaction.atomic():
        _regional_council(module_personas)
        yield
        transaction.set_rollback(True)


def _reads_every_row(node: dict[str, Any], table: str) -> bool:
    """A scan of all of `table`: a sequential scan, or a walk of a whole index (in its order,
    testing every row against the rule) with no condition to start from."""
    if node.get("Relation Name") != table:
        return False
    if node["Node Type"] == "Seq Scan":
        return True
    walks = node["Node Type"] in {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}
    return walks and "Index Cond" not in node


def _scans_whole(sql: str, table: str) -> bool:
    """Whether the plan of `sql` reads every row of `table`."""
    return any(_reads_every_row(node, table) for node in plan_nodes(query_plan(sql)))


def _whole_table_scans(
    p: Personas, roles: list[str], addresses: list[str], table: str
) -> dict[tuple[str, str, str], str]:
    """(role, address, query) for every query of the pages that reads all of `table`."""
    found = {}
    for role in roles:
        client = p.client_for(getattr(p, role))
        for address in addresses:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(address)
            assert response.status_code == 200, (role, address)
            reads = [q["sql"] for q in queries if f'"{table}"' in q["sql"]]
            for sql in reads:
                if sql.startswith("SELECT") and _scans_whole(sql, table):
                    found[role, address, sql[:300]] = "reads every row"
    return found


def test_the_audit_read_rule_never_scans_every_audit_for_a_reader_of_a_few(
    p: Personas, region: None
) -> None:
    addresses = ["/audits/", "/audits/?page=2", "/api/v1/audits?offset=50"]
    roles = ["practitioner", "team_manager", "auditor"]
    assert not _whole_table_scans(p, roles, addresses, AUDIT_TABLE)


def test_the_action_read_rule_never_scans_every_action_for_a_reader_of_a_few(
    p: Personas, region: None
) -> None:
    roles = ["practitioner", "team_manager", "auditor", "board_member", "administrator"]
    roles.append("data_protection")
    assert not _whole_table_scans(p, roles, ["/api/v1/actions?offset=50"], ACTION_TABLE)


def test_an_audits_own_page_finds_it_by_index_for_every_reader(p: Personas, region: None) -> None:
    """Its look-up tests the rule's parts ORed on the one row (`audit_visibility_filter_for_one`):
    the row must be found by its key first, never by reading the table against the OR."""
    roles = ["practitioner", "team_manager", "auditor", "moderator", "senior_leader"]
    found: dict[tuple[str, str, str], str] = {}
    for role in roles:
        staff = getattr(p, role)
        audit = Audit.objects.filter(audit_visibility_filter(staff)).order_by("-pk").first()
        assert audit is not None, role
        address = reverse("audits:detail", args=[audit.public_id])
        found |= _whole_table_scans(p, [role], [address], AUDIT_TABLE)
    assert not found


def _subplans_reading_every_row(sql: str, table: str) -> list[str]:
    """The subplans in the plan of `sql` that read all of `table`: a rule asked of a list's rows
    that PostgreSQL answers by hashing every row it admits (EXPLAIN says "hashed" only where
    the subplan is used; its node is named "SubPlan n" either way)."""
    return [
        node["Subplan Name"]
        for node in plan_nodes(query_plan(sql))
        if node.get("Parent Relationship") == "SubPlan"
        and any(_reads_every_row(under, table) for under in plan_nodes(node))
    ]


def test_whether_a_row_s_audit_is_readable_is_asked_of_that_audit_never_of_every_audit(
    p: Personas, region: None
) -> None:
    """`audit_readable`, a list's `may_read` (an audit lead's moderations, say). As an EXISTS
    keyed on the row, PostgreSQL hashed every audit the rule admits when it expected to ask it
    of many rows: the rule tested on all 200,000 audits of the national council to name fifty."""
    found = {}
    for role in ["practitioner", "team_manager", "auditor", "moderator", "senior_leader"]:
        rows = Action.objects.annotate(may_read=audit_readable(getattr(p, role), "audit_id"))
        with CaptureQueriesContext(connection) as queries:
            list(rows.values_list("pk", "may_read"))
        found[role] = _subplans_reading_every_row(queries[0]["sql"], AUDIT_TABLE)
    assert not any(found.values()), found


def _price_of_asking_one_row(reader: StaffMember) -> float:
    """PostgreSQL's price of asking `audit_readable` of one row of a list, for `reader`."""
    rows = Action.objects.annotate(may_read=audit_readable(reader, "audit_id"))
    with CaptureQueriesContext(connection) as queries:
        list(rows.values_list("pk", "may_read")[:50])
    asked: float = next(
        node["Total Cost"]
        for node in plan_nodes(query_plan(queries[0]["sql"]))
        if node.get("Parent Relationship") == "SubPlan"
    )
    return asked


def test_asking_whether_a_row_s_audit_is_readable_costs_no_more_for_a_reader_of_many_deep_dives(
    p: Personas, region: None
) -> None:
    """The reader's participations (and revisits, and calibration exercises) are asked of each
    row's audit by its key. As the audit's key among all of the reader's participations,
    PostgreSQL priced a hash of them on every row asked, so the price grew with them: a cycle's
    185 moderations were priced past `jit_above_cost` on the national council, and compiling
    the statement took 650 ms for 10 ms of work. The region's practitioner took part in
    thousands of deep dives; a newcomer to their team in none."""
    newcomer = make_staff("newcomer", "Nia Newcomer", Role.PRACTITIONER, p.north_a)
    assert _price_of_asking_one_row(p.practitioner) <= 1.1 * _price_of_asking_one_row(newcomer)


def test_an_audit_lead_s_list_is_read_newest_first_by_index_never_sorted_whole(
    p: Personas, region: None
) -> None:
    """A lead over the region reads nearly all of its audits: the list's first page is the
    newest audits their rule admits, read in the order of an index and stopped at the page.
    Without it PostgreSQL sorted every audit to find them (on disk, 200,000 on the national
    council: 250-320 ms of an audit lead's API page)."""
    region_lead = make_staff(
        "regionlead", "Rhi Lead", Role.MODERATOR, services=[Service.objects.get(name="Region")]
    )
    with CaptureQueriesContext(connection) as queries:
        response = p.client_for(region_lead).get("/api/v1/audits")
    assert response.status_code == 200
    pages = [
        q["sql"]
        for q in queries
        if q["sql"].startswith(f'SELECT "{AUDIT_TABLE}"."id" AS "pk"') and " LIMIT " in q["sql"]
    ]
    sorted_whole = [
        node["Sort Key"]
        for sql in pages
        for node in plan_nodes(query_plan(sql))
        if node["Node Type"] == "Sort"
    ]
    assert pages
    assert not sorted_whole
