"""Changing a cycle's name, dates, audit tools and types, keeping what was already drawn."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, QuotaKind
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.services.cycles import cycle_update, quota_add
from auditloop.sampling.services.draws import DrawPlan, draw_save
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas

PLANNERS = {"moderator"}


def _update(p: Personas, cycle: Cycle, **overrides: Any) -> Cycle:
    args: dict[str, Any] = {
        "cycle": cycle,
        "name": cycle.name,
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
        "tools": list(cycle.tools.all()),
        "audit_types": list(cycle.audit_types),
        "by": p.moderator,
    }
    args.update(overrides)
    return cycle_update(**args)


def _audits_in(p: Personas, cycle: Cycle, month: datetime.date) -> None:
    cases_make(3, team=p.north_b, prefix=f"M{month.month}-")
    draw_save(
        spec=DrawSpec(seed=1, size=2, team_id=p.north_b.pk),
        by=p.moderator,
        plan=DrawPlan(
            cycle=cycle,
            audit_type="dip_sample",
            tool_version=p.compliance_tool,
            planned_month=month,
            create_audits=True,
        ),
    )


def test_a_cycle_is_renamed_and_moved_and_the_change_is_logged(p: Personas, cycle: Cycle) -> None:
    _update(
        p,
        cycle,
        name="North, summer",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=None,
        tools=[p.quality_tool],
        audit_types=["deep_dive", "thematic"],
    )
    cycle.refresh_from_db()
    assert (cycle.name, cycle.starts_on, cycle.ends_on) == (
        "North, summer",
        datetime.date(2026, 5, 1),
        datetime.date(2026, 10, 31),
    )
    assert list(cycle.tools.all()) == [p.quality_tool]
    assert cycle.audit_types == ["deep_dive", "thematic"]
    event = Event.objects.get(verb="cycle.changed")
    assert event.before["name"] == "North, April to September 2026"
    assert event.after["starts_on"] == "2026-05-01"


def test_dates_that_leave_planned_audits_outside_are_refused_naming_the_months(
    p: Personas, cycle: Cycle
) -> None:
    _audits_in(p, cycle, datetime.date(2026, 4, 1))
    _audits_in(p, cycle, datetime.date(2026, 9, 1))
    with pytest.raises(Refused, match="April 2026") as refused:
        _update(p, cycle, starts_on=datetime.date(2026, 5, 1))
    assert refused.value.field == "starts_on"
    with pytest.raises(Refused, match="September 2026") as refused:
        _update(p, cycle, ends_on=datetime.date(2026, 8, 31))
    assert refused.value.field == "ends_on"
    cycle.refresh_from_db()
    assert cycle.starts_on == datetime.date(2026, 4, 1)
    # Moving the end later, or the start within the first month, keeps both months inside.
    _update(p, cycle, starts_on=datetime.date(2026, 4, 15), ends_on=datetime.date(2026, 12, 31))


def test_a_tool_in_use_cannot_be_taken_away(p: Personas, cycle: Cycle) -> None:
    _audits_in(p, cycle, datetime.date(2026, 4, 1))
    with pytest.raises(Refused, match="Compliance") as refused:
        _update(p, cycle, tools=[p.quality_tool])
    assert refused.value.field == "tools"


def test_a_type_with_audits_or_quotas_cannot_be_taken_away(p: Personas, cycle: Cycle) -> None:
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="deep_dive",
        per_month=2,
        by=p.moderator,
    )
    with pytest.raises(Refused, match="deep dive") as refused:
        _update(p, cycle, audit_types=["dip_sample"])
    assert refused.value.field == "audit_types"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": " "}, "Enter a name"),
        ({"ends_on": datetime.date(2026, 3, 1)}, "must end after it starts"),
        ({"tools": []}, "at least one audit tool"),
        ({"audit_types": ["revisit"]}, "Choose the types of audit"),
    ],
)
def test_a_cycle_change_with_mistakes_is_refused(
    p: Personas, cycle: Cycle, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(Refused, match=message):
        _update(p, cycle, **overrides)
    assert not Event.objects.filter(verb="cycle.changed").exists()


def test_only_a_planner_can_change_a_cycle(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(Refused, match="audit lead"):
        _update(p, cycle, by=p.senior_leader)


def test_the_change_page_is_for_planners_only(p: Personas, cycle: Cycle) -> None:
    url = reverse("sampling:cycle_edit", args=[cycle.public_id])
    for role, staff in p.all_roles().items():
        status = p.client_for(staff).get(url).status_code
        assert status == (200 if role in PLANNERS else 403), role


def _form(p: Personas, **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "North, renamed",
        "starts_on-day": "1",
        "starts_on-month": "4",
        "starts_on-year": "2026",
        "ends_on-day": "30",
        "ends_on-month": "9",
        "ends_on-year": "2026",
        "tools": [str(p.compliance_tool.pk), str(p.quality_tool.pk)],
        "audit_types": ["dip_sample", "deep_dive"],
        "moderation_percent": "15",
        "revisit_weeks": "6",
    }
    data.update(extra)
    return data


def test_a_cycle_is_changed_through_the_form(p: Personas, cycle: Cycle) -> None:
    client = p.client_for(p.moderator)
    url = reverse("sampling:cycle_edit", args=[cycle.public_id])
    assert 'value="North, April to September 2026"' in client.get(url).content.decode()
    response = client.post(url, _form(p))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "North, renamed"


def test_a_refused_change_shows_the_reason_on_the_form(p: Personas, cycle: Cycle) -> None:
    _audits_in(p, cycle, datetime.date(2026, 9, 1))
    response = p.client_for(p.moderator).post(
        reverse("sampling:cycle_edit", args=[cycle.public_id]),
        _form(p, **{"ends_on-month": "8", "ends_on-day": "31"}),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and "September 2026" in body
    cycle.refresh_from_db()
    assert cycle.ends_on == datetime.date(2026, 9, 30)
