"""A dashboard's figures are kept per reader under the data version: a second read asks only
for the reader's access decision and the version, and no reader is ever shown figures from
before a committed change, however it was written, from another reader's access, or from
another day. These run with real commits (`transaction=True`): a test's own transaction never
commits, and a connection with changes of its own never uses the cache."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import ModerationStatus
from auditloop.audits.models import Action, Audit, AuditStatus
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.reports.blocks import Block, FigureTable, blocks_of
from auditloop.reports.tests.test_figures import moderated
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
STARTED = TODAY - datetime.timedelta(days=60)
COUNTED = re.compile(r"(\d+) audits? (?:of your cases )?counts? in this cycle")
_clients: dict[int, Client] = {}


@pytest.fixture(autouse=True)
def _signed_in_once() -> None:
    _clients.clear()


def spring(p: Personas) -> Cycle:
    """Six audits in each of North A, North B and South A."""
    cycle = cycle_of(p, "Spring", STARTED)
    for team in (p.north_a, p.north_b, p.south_a):
        for _ in range(6):
            counted_audit(p, cycle, team=team)
    return cycle


def page(p: Personas, staff: StaffMember) -> tuple[int, list[Block], str]:
    """The count of audits, the blocks, and the page's figures as drawn (from the count to
    the end of the main content: the rest holds the sign-out form's CSRF token)."""
    client = _clients.get(staff.pk) or _clients.setdefault(staff.pk, p.client_for(staff))
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    drawn = html[html.index('id="cycle-shown"') : html.index("</main>")]
    return int(COUNTED.findall(html)[0]), blocks_of(response.context["sections"]), drawn


def read(p: Personas, staff: StaffMember) -> tuple[int, list[Block]]:
    counted, blocks, _ = page(p, staff)
    return counted, blocks


def counted(p: Personas, staff: StaffMember) -> int:
    return read(p, staff)[0]


def cells(table: FigureTable | None, label: str) -> list[str]:
    assert table is not None
    return next([c.text for c in row.cells] for row in table.rows if row.label == label)


def test_a_second_read_of_a_dashboard_asks_only_for_the_access_decision_and_the_version(
    p: Personas,
) -> None:
    spring(p)
    client = p.client_for(p.moderator)
    url = reverse("reports:dashboard")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    first, second = queries(), queries()
    assert first > 40
    # The session, and the sign-in with the header's notifications count (2); the access
    # decision: the reader's services, those they head (once, for the cycles and the scope
    # both), their cycles and the cycle's services (4); the data version (1); the words naming
    # the scope (1).
    assert second == 8


def test_a_change_through_update_shows_on_the_next_read(p: Personas) -> None:
    spring(p)
    assert counted(p, p.moderator) == 12
    Audit.objects.filter(team=p.north_a).update(status=AuditStatus.IN_PROGRESS)
    assert counted(p, p.moderator) == 6


def test_a_change_through_bulk_create_shows_on_the_next_read(p: Personas) -> None:
    cycle = spring(p)
    audit = counted_audit(p, cycle, team=p.north_b)
    CycleAudit.objects.filter(audit=audit).delete()
    assert counted(p, p.moderator) == 12
    CycleAudit.objects.bulk_create(
        [CycleAudit(cycle=cycle, audit=audit, planned_month=cycle.starts_on)]
    )
    assert counted(p, p.moderator) == 13


def test_a_change_through_raw_sql_shows_on_the_next_read(p: Personas) -> None:
    spring(p)
    assert counted(p, p.team_manager) == 6
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audits_audit SET status = %s WHERE team_id = %s",
            [AuditStatus.IN_PROGRESS, p.north_a.pk],
        )
    assert counted(p, p.team_manager) == 0


def test_two_readers_of_the_same_services_never_share_figures(p: Personas) -> None:
    # The audit lead is regrading one of North A's audits blind: their own figures leave it
    # out, the senior leader's (same services, same cycle) count it.
    spring(p)
    moderated(p, Audit.objects.filter(team=p.north_a).first(), status=ModerationStatus.REGRADING)  # type: ignore[arg-type]
    assert counted(p, p.senior_leader) == 12
    assert counted(p, p.moderator) == 11


def test_an_action_due_today_is_overdue_on_the_next_days_read(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    spring(p)
    audit = Audit.objects.filter(team=p.north_a).first()
    assert audit is not None
    Action.objects.create(audit=audit, description="Visit", owner=p.practitioner, due_date=TODAY)

    def actions(on: datetime.date) -> list[str]:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: on)
        block = next(b for b in read(p, p.team_manager)[1] if b.key == "actions")
        # Open and not yet due, overdue.
        return cells(block.table, "North A")[:2]

    assert actions(TODAY) == ["1", "0"]
    assert actions(TODAY + datetime.timedelta(days=1)) == ["0", "1"]


def test_cached_figures_are_the_figures_computed_afresh(p: Personas, settings: Any) -> None:
    spring(p)
    readers = [p.moderator, p.senior_leader, p.team_manager, p.practitioner]
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 0
    afresh = [page(p, staff) for staff in readers]
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 300
    for staff in readers:
        page(p, staff)
    with CaptureQueriesContext(connection) as captured:
        cached = [page(p, staff) for staff in readers]
    assert len(captured.captured_queries) < 15 * len(readers)
    assert cached == afresh
