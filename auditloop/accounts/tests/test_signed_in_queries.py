"""What every signed-in page costs before its own work: the session, then the login with its
staff record and team in one query, then the unread notifications' count for the header."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.testing import Personas, make_staff


def _queries(p: Personas, staff: StaffMember, url: str) -> list[str]:
    client = p.client_for(staff)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_a_signed_in_page_of_no_data_asks_the_session_the_login_and_the_notifications(
    p: Personas,
) -> None:
    queries = _queries(p, p.practitioner, reverse("accessibility"))
    assert len(queries) == 3, queries
    assert '"django_session"' in queries[0]
    assert '"accounts_staffmember"' in queries[1] and '"accounts_team"' in queries[1]
    assert '"core_notification"' in queries[2]


def test_an_audit_leads_team_comes_with_their_login_not_in_a_query_of_its_own(
    p: Personas,
) -> None:
    # Their team's service is one of those they oversee, asked on most of their pages.
    lead = make_staff("lead2", "Lou Lead", Role.MODERATOR, p.south_a, services=[p.north])
    queries = _queries(p, lead, reverse("audits:list"))
    assert not [q for q in queries if q.lstrip().startswith('SELECT "accounts_team"."id"')]
