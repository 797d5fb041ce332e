"""Cycle pages log a read of each child's case file they name (the pick list, a found case, a
month's unassigned cases, a draw's chosen cases; see their own tests); the cycle pages that
show only counts name no child and log nothing."""

from __future__ import annotations

import datetime

from django.urls import reverse

from auditloop.core.models import AccessLog
from auditloop.sampling.models import Cycle
from auditloop.sampling.services.months import month_plan
from auditloop.sampling.services.picks import pick_add
from auditloop.sampling.tests.factories import cases_make
from auditloop.sampling.tests.test_month_plan import _team_quota
from auditloop.testing import Personas


def test_the_cycle_pages_that_show_only_counts_log_nothing(p: Personas, cycle: Cycle) -> None:
    _team_quota(p, cycle, n=3)
    cases_make(5, team=p.north_b, prefix="NB")
    month_plan(
        cycle=cycle,
        month=datetime.date(2026, 5, 1),
        tools={"dip_sample": p.compliance_tool},
        seed=1,
        by=p.moderator,
        today=datetime.date(2026, 4, 20),
    )
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    AccessLog.objects.all().delete()
    client = p.client_for(p.moderator)
    for name, args in [
        ("sampling:cycle_list", []),
        ("sampling:cycle_detail", [cycle.public_id]),
        ("sampling:cycle_overview", [cycle.public_id]),
        ("sampling:month_plan", [cycle.public_id]),
        ("sampling:draw_create", [cycle.public_id]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert not AccessLog.objects.exists()
