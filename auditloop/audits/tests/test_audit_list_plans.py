"""At regional scale the audits list and the API's audits never hash the case table.

PostgreSQL chooses a plan by the sizes of the tables, so the test builds a council big enough
for the planner to care (tens of thousands of cases, thousands of audits, written in a few SQL
statements so that it costs seconds), refreshes the planner's statistics, asks both lists as
every role that reads audits, and EXPLAINs every query they ran that reads audits: no plan may
build a hash of the cases (a Hash node over a scan of the case table) or scan the whole case
table. A page shows fifty audits: their cases are fetched by key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditloop.audits.tests.plans import plan_nodes, query_plan
from auditloop.core.planner import planner_statistics_refresh
from auditloop.testing import Personas

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The query plan checked is PostgreSQL's (DATABASE_URL=postgres://... to run it)",
)

CASES = 60_000
AUDITS = 12_000
CASE_TABLE = "cases_childcase"


def _regional_council(p: Personas) -> None:
    """CASES open cases spread over the personas' three teams, and AUDITS audits of them at
    every status, by the personas' auditor and lead, of the personas' practitioners."""
    teams = [p.north_a.pk, p.north_b.pk, p.south_a.pk]
    practitioners = [p.practitioner.pk, p.outsider.pk, p.team_manager.pk]
    auditors = [p.auditor.pk, p.moderator.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_childcase (
                public_id, la_child_id, cohort, allocated_team_id, allocated_worker_name, gender,
                ethnicity, disability, is_open, source_lists, allocated_team_name,
                created_at, updated_at)
            SELECT gen_random_uuid(), 'R' || lpad(i::text, 7, '0'), 'CP',
                   (%s::int[])[1 + i %% 3], '', '', '', '', true, '', '', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [teams, CASES],
        )
        cursor.execute(
            """
            INSERT INTO audits_audit (
                public_id, case_id, tool_version_id, audit_type, theme, status, auditor_id,
                practitioner_id, team_id, revisit_reason, strengths, areas_for_development,
                impact_on_child, practitioner_reflection, return_reason, created_at,
                submitted_at)
            SELECT gen_random_uuid(), c.id, %s, 'dip_sample', '',
                   (ARRAY['planned', 'in_progress', 'submitted', 'completed'])[1 + n %% 4],
                   (%s::int[])[1 + n %% 2], (%s::int[])[1 + n %% 3],
                   c.allocated_team_id, '', '', '', '', '', '',
                   now() - n * interval '1 hour',
                   CASE WHEN n %% 4 >= 2 THEN now() - n * interval '1 hour' END
            FROM (SELECT id, allocated_team_id, row_number() OVER (ORDER BY id) AS n
                  FROM cases_childcase WHERE la_child_id LIKE 'R%%') AS c
            WHERE c.n %% (%s / %s) = 0
            """,
            [p.compliance_tool.pk, auditors, practitioners, CASES, AUDITS],
        )
        planner_statistics_refresh()


def _hashes_or_scans_the_cases(sql: str) -> list[str]:
    """What in the plan of `sql` builds a hash of the cases or reads the whole case table."""
    found = []
    for node in plan_nodes(query_plan(sql)):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == CASE_TABLE:
            found.append("a sequential scan of the case table")
        if node["Node Type"] == "Hash" and any(
            n.get("Relation Name") == CASE_TABLE for n in plan_nodes(node)
        ):
            found.append("a hash of the case table")
    return found


ROLES = ["practitioner", "team_manager", "auditor", "moderator", "senior_leader"]


def test_the_audits_lists_never_hash_the_case_table_at_regional_scale(p: Personas) -> None:
    _regional_council(p)
    bad = {}
    for role in ROLES:
        client = p.client_for(getattr(p, role))
        for address in ("/audits/", "/audits/?page=3", "/api/v1/audits?offset=100"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(address)
            assert response.status_code == 200, (role, address)
            reads = [q["sql"] for q in queries if '"audits_audit"' in q["sql"]]
            assert reads, f"{address} read no audits as {role}"
            for sql in reads:
                if sql.startswith("SELECT") and (found := _hashes_or_scans_the_cases(sql)):
                    bad[role, address, sql[:300]] = found
    assert not bad
