"""Who may plan a cycle is decided once: the pages, the access helper and the services ask the
same question, and refuse in the same words."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.core.refusals import Refused
from auditloop.sampling.access import can_plan, get_cycle_for_user
from auditloop.sampling.models import Cycle, QuotaKind
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.services.cycles import quota_add
from auditloop.sampling.services.draws import DrawPlan, draw_save
from auditloop.sampling.services.months import month_plan
from auditloop.sampling.services.picks import pick_add, picks_plan
from auditloop.testing import Personas, make_staff


def _everyone(p: Personas) -> dict[str, StaffMember]:
    return {
        **p.all_roles(),
        "south lead": make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south]),
        "lead of both": make_staff(
            "bothlead", "Bo Lead", Role.MODERATOR, services=[p.north, p.south]
        ),
    }


def _refused_quota(cycle: Cycle, staff: StaffMember) -> str | None:
    try:
        quota_add(
            cycle=cycle, kind=QuotaKind.PER_TEAM, audit_type="dip_sample", per_month=1, by=staff
        )
    except Refused as refused:
        return refused.message
    return None


def test_the_page_the_helper_and_the_service_agree_on_who_plans(p: Personas, cycle: Cycle) -> None:
    everyone = _everyone(p)
    for name, staff in everyone.items():
        planner = can_plan(staff, cycle)
        status = p.client_for(staff).get(reverse("sampling:cycle_edit", args=[cycle.public_id]))
        assert (status.status_code == 200) is planner, name
        assert (_refused_quota(cycle, staff) is None) is planner, name
    assert {n for n, s in everyone.items() if can_plan(s, cycle)} == {
        "moderator",
        "lead of both",
    }


def test_the_helper_and_the_service_refuse_in_the_same_words(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(PermissionDenied) as denied:
        get_cycle_for_user(p.senior_leader, cycle.public_id, write=True)
    assert _refused_quota(cycle, p.senior_leader) == str(denied.value)


def test_a_lead_of_another_service_does_not_see_the_cycle(p: Personas, cycle: Cycle) -> None:
    south_lead = _everyone(p)["south lead"]
    with pytest.raises(Http404):
        get_cycle_for_user(south_lead, cycle.public_id)


def test_every_way_of_planning_audits_refuses_a_month_outside_the_cycle_alike(
    p: Personas, cycle: Cycle
) -> None:
    """The draw, the pick list and "Plan this month" check a plan with the same rule."""
    outside = datetime.date(2027, 1, 1)
    quota_add(
        cycle=cycle, kind=QuotaKind.PER_TEAM, audit_type="dip_sample", per_month=1, by=p.moderator
    )
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    refusals = []
    for attempt in (
        lambda: draw_save(
            spec=DrawSpec(seed=1, size=1),
            plan=DrawPlan(cycle, "dip_sample", p.compliance_tool, outside),
            by=p.moderator,
        ),
        lambda: picks_plan(
            cycle=cycle,
            audit_type="deep_dive",
            tool_version=p.quality_tool,
            planned_month=outside,
            auditor=None,
            by=p.moderator,
        ),
        lambda: month_plan(
            cycle=cycle,
            month=outside,
            tools={"dip_sample": p.compliance_tool},
            seed=1,
            by=p.moderator,
        ),
    ):
        with pytest.raises(Refused) as refused:
            attempt()
        refusals.append((refused.value.message, refused.value.field))
    assert refusals == [("Choose a month inside the cycle.", "planned_month")] * 3
