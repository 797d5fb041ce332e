"""Each dashboard asks the same number of queries however many audits its scope holds: for an
audit lead, a team manager, a practitioner and the committee's cycle review."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from auditloop.assurance.models import ModerationStatus
from auditloop.audits.models import Action, AuditStatus
from auditloop.learning.tests.point_factories import point_in, theme_named
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.reports.access.scopes import dashboard_scope, review_scope
from auditloop.reports.blocks import block_by_key
from auditloop.reports.models import Audience, Target, TargetMeasure
from auditloop.reports.selectors.figures import dashboard_sections
from auditloop.reports.selectors.scope import ReportScope
from auditloop.reports.tests.test_figures import moderated, revisit
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

SPRING = datetime.date(2026, 1, 1)
EARLIER = datetime.date(2025, 7, 1)


def grow(p: Personas, cycle: Cycle, earlier: Cycle, rounds: int) -> None:
    """`rounds` more of everything a dashboard counts, in each team: audits in this cycle and
    the last, a draft, a moderation agreed, an action, a revisit and a learning point."""
    voice = theme_named("Voice of the child")
    for _ in range(rounds):
        for team in (p.north_a, p.north_b, p.south_a):
            audit = counted_audit(p, cycle, team=team, overall="requires_improvement")
            counted_audit(p, cycle, team=team, overall="good")
            counted_audit(p, cycle, team=team, tool=p.compliance_tool)
            counted_audit(p, cycle, team=team, status=AuditStatus.IN_PROGRESS)
            counted_audit(p, earlier, team=team, overall="inadequate")
            moderated(p, audit, status=ModerationStatus.AGREED, agreed="good")
            Action.objects.create(
                audit=audit,
                description="See the child alone.",
                owner=p.practitioner,
                due_date=timezone.localdate() - datetime.timedelta(days=1),
            )
            revisit(p, audit, overall="good")
            point_in(audit, themes=[voice])


def queries_asked(scope: ReportScope) -> tuple[int, str]:
    """How many queries the dashboard asks, and how many audits its progress says are done."""
    with CaptureQueriesContext(connection) as queries:
        sections = dashboard_sections(scope)
    block = block_by_key(sections, "progress")
    assert block is not None and block.table is not None and block.table.grand_total
    return len(queries), block.table.grand_total.text


SCOPES: dict[str, Callable[[Personas, Cycle], ReportScope | None]] = {
    "audit lead": lambda p, cycle: dashboard_scope(p.moderator, cycle),
    "team manager": lambda p, cycle: dashboard_scope(p.team_manager, cycle),
    "practitioner": lambda p, cycle: dashboard_scope(p.practitioner, cycle),
    "committee": lambda p, cycle: review_scope(cycle, Audience.COMMITTEE),
}


@pytest.mark.parametrize("who", list(SCOPES))
def test_a_dashboard_asks_as_many_queries_for_a_small_council_as_for_a_bigger_one(
    p: Personas, who: str
) -> None:
    earlier = cycle_of(p, "Autumn 2025", EARLIER)
    cycle = cycle_of(p, "Spring", SPRING)
    Target.objects.create(measure=TargetMeasure.INADEQUATE_AT_MOST, percent=10)
    grow(p, cycle, earlier, 3)
    # A scope is decided afresh for each page (its figures share what they count).
    scope = SCOPES[who](p, cycle)
    assert scope is not None
    small, planned_before = queries_asked(scope)
    grow(p, cycle, earlier, 4)
    scope = SCOPES[who](p, cycle)
    assert scope is not None
    bigger, planned_after = queries_asked(scope)
    assert bigger == small
    assert int(planned_after) > int(planned_before)


@pytest.mark.parametrize("who", list(SCOPES))
def test_a_dashboard_counts_its_audits_answers_in_the_database_not_by_a_list_of_their_ids(
    p: Personas, who: str
) -> None:
    # A national council's cycle holds 20,000 audits: nine figures each sending their ids back
    # to the database took a second apiece to build, send and plan.
    earlier = cycle_of(p, "Autumn 2025", EARLIER)
    cycle = cycle_of(p, "Spring", SPRING)
    grow(p, cycle, earlier, 3)
    scope = SCOPES[who](p, cycle)
    assert scope is not None
    with CaptureQueriesContext(connection) as queries:
        dashboard_sections(scope)
    lists = [q["sql"] for q in queries if re.search(r"IN \((\d+, ){6,}\d+\)", q["sql"])]
    assert not lists
