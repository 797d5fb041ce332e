"""Quotas drive the work: "Plan this month" draws each team's share of the per-team quotas and
shares the audits out, and never doubles a month."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from auditloop.accounts.models import Role, Team
from auditloop.audits.models import Audit
from auditloop.audits.services.planning import audit_create
from auditloop.core.models import AccessLog, Event
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, CycleAudit, QuotaKind, SampleDraw
from auditloop.sampling.rules.assignment import NOBODY_FREE
from auditloop.sampling.services.cycles import cycle_auditors_set, quota_add
from auditloop.sampling.services.months import month_plan
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas, make_staff

MAY = datetime.date(2026, 5, 1)
PLANNERS = {"moderator"}


def _team_quota(p: Personas, cycle: Cycle, n: int = 3, audit_type: str = "dip_sample") -> None:
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_TEAM,
        audit_type=audit_type,
        per_month=n,
        by=p.moderator,
    )


def _cases(p: Personas) -> None:
    # North A's cases are held by the practitioner, whom the team manager manages.
    cases_make(5, team=p.north_a, prefix="NA", worker=p.practitioner)
    cases_make(5, team=p.north_b, prefix="NB")


def _run(p: Personas, cycle: Cycle, **overrides: Any) -> Any:
    args: dict[str, Any] = {
        "cycle": cycle,
        "month": MAY,
        "tools": {"dip_sample": p.compliance_tool, "deep_dive": p.quality_tool},
        "seed": 11,
        "by": p.moderator,
        "today": datetime.date(2026, 4, 20),
    }
    args.update(overrides)
    return month_plan(**args)


def test_each_team_gets_its_quota_shared_out_evenly_and_independently(
    p: Personas, cycle: Cycle
) -> None:
    _team_quota(p, cycle)
    _cases(p)
    result = _run(p, cycle)
    assert [(t.team, t.audits, t.unassigned) for t in result.teams] == [
        (p.north_a, 3, []),
        (p.north_b, 3, []),
    ]
    audits = Audit.objects.filter(cycle_link__planned_month=MAY)
    assert audits.count() == 6
    # The team manager manages every North A case, so the auditor has those; the even share
    # then gives the North B cases to the team manager.
    assert set(audits.filter(team=p.north_a).values_list("auditor", flat=True)) == {p.auditor.pk}
    assert set(audits.filter(team=p.north_b).values_list("auditor", flat=True)) == {
        p.team_manager.pk
    }
    assert {a.due_date for a in audits} == {datetime.date(2026, 5, 31)}
    draws = SampleDraw.objects.filter(quota_team__isnull=False)
    assert {(d.quota_team, d.size, d.filters["team"]["name"]) for d in draws} == {
        (p.north_a, 3, "North A"),
        (p.north_b, 3, "North B"),
    }
    event = Event.objects.get(verb="cycle.month_planned")
    assert event.after["audits"] == 6


def test_planning_the_same_month_twice_is_refused_and_changes_nothing(
    p: Personas, cycle: Cycle
) -> None:
    _team_quota(p, cycle)
    _cases(p)
    _run(p, cycle)
    before = (Audit.objects.count(), SampleDraw.objects.count(), Event.objects.count())
    with pytest.raises(Refused, match=r"May 2026 is already planned .*6 audits"):
        _run(p, cycle, seed=99)
    assert (Audit.objects.count(), SampleDraw.objects.count(), Event.objects.count()) == before
    # Another month is still free to plan.
    assert _run(p, cycle, month=datetime.date(2026, 6, 1)).audits > 0


def test_the_database_refuses_a_second_quota_draw_for_a_team_and_month(
    p: Personas, cycle: Cycle
) -> None:
    _team_quota(p, cycle)
    _run(p, cycle)
    with pytest.raises(IntegrityError), transaction.atomic():
        SampleDraw.objects.create(
            cycle=cycle,
            seed=1,
            population_size=0,
            size=0,
            audit_type="dip_sample",
            planned_month=MAY,
            quota_team=p.north_a,
        )


def test_per_auditor_quotas_stay_a_monthly_cap_and_the_rest_is_reported(
    p: Personas, cycle: Cycle
) -> None:
    _team_quota(p, cycle)
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="dip_sample",
        per_month=2,
        by=p.moderator,
    )
    _cases(p)
    result = _run(p, cycle)
    assert result.audits == 4
    assert result.unassigned == 2
    assert {reason for t in result.teams for _, reason in t.unassigned} == {NOBODY_FREE}
    loads = CycleAudit.objects.filter(planned_month=MAY).values_list("audit__auditor", flat=True)
    assert sorted(loads) == sorted([p.auditor.pk] * 2 + [p.team_manager.pk] * 2)


def test_recently_audited_cases_are_not_drawn_again(p: Personas, cycle: Cycle) -> None:
    _team_quota(p, cycle, n=5)
    north_b = cases_make(5, team=p.north_b, prefix="NB")
    audit_create(
        case=north_b[0],
        tool_version=p.compliance_tool,
        audit_type="dip_sample",
        auditor=p.auditor,
        by=p.moderator,
    )
    result = _run(p, cycle, today=None)
    team_b = next(t for t in result.teams if t.team == p.north_b)
    assert team_b.draw.size == 4
    assert north_b[0].pk not in set(team_b.draw.chosen.values_list("case_id", flat=True))


def test_every_team_in_the_cycles_services_is_planned_even_an_empty_one(
    p: Personas, cycle: Cycle
) -> None:
    Team.objects.create(service=p.north, name="North C")
    _team_quota(p, cycle)
    result = _run(p, cycle)
    assert [t.team.name for t in result.teams] == ["North A", "North B", "North C"]
    assert [t.draw.size for t in result.teams][2] == 0


def test_a_thematic_quota_needs_a_theme_and_passes_it_to_the_audits(p: Personas) -> None:
    from auditloop.sampling.services.cycles import cycle_create

    cycle = cycle_create(
        name="Themes",
        services=[p.north],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.quality_tool],
        audit_types=["thematic"],
        auditors=[p.auditor],
        by=p.moderator,
    )
    _team_quota(p, cycle, n=1, audit_type="thematic")
    cases_make(2, team=p.north_b, prefix="NB")
    tools = {"thematic": p.quality_tool}
    with pytest.raises(Refused, match="theme"):
        _run(p, cycle, tools=tools)
    result = _run(p, cycle, tools=tools, theme="Neglect")
    assert result.audits == 2
    assert set(Audit.objects.values_list("theme", flat=True)) == {"Neglect"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"month": datetime.date(2026, 12, 1)}, "month inside the cycle"),
        ({"tools": {"dip_sample": None}}, "cycle's audit tools"),
        ({"seed": -1}, "seed cannot be negative"),
    ],
)
def test_planning_a_month_refuses_what_the_cycle_does_not_allow(
    p: Personas, cycle: Cycle, overrides: dict[str, Any], message: str
) -> None:
    _team_quota(p, cycle)
    with pytest.raises(Refused, match=message):
        _run(p, cycle, **overrides)
    assert not SampleDraw.objects.exists()


def test_a_month_cannot_be_planned_without_a_team_quota(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(Refused, match="quota of cases from each team"):
        _run(p, cycle)


def test_a_month_cannot_be_planned_without_auditors(p: Personas, cycle: Cycle) -> None:
    _team_quota(p, cycle)
    cycle_auditors_set(cycle=cycle, auditors=[], by=p.moderator)
    with pytest.raises(Refused, match="Add auditors"):
        _run(p, cycle)


def test_only_a_planner_of_the_cycle_can_plan_a_month(p: Personas, cycle: Cycle) -> None:
    _team_quota(p, cycle)
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    for person in (p.senior_leader, p.auditor, south_lead):
        with pytest.raises(Refused, match="audit lead"):
            _run(p, cycle, by=person)


# Pages


def _post(p: Personas, month: str = "2026-05-01") -> dict[str, str]:
    return {"planned_month": month, "tool_dip_sample": str(p.compliance_tool.pk), "seed": "5"}


def test_the_plan_a_month_page_is_for_planners_only(p: Personas, cycle: Cycle) -> None:
    _team_quota(p, cycle)
    url = reverse("sampling:month_plan", args=[cycle.public_id])
    for role, staff in p.all_roles().items():
        client = p.client_for(staff)
        assert client.get(url).status_code == (200 if role in PLANNERS else 403), role
        if role not in PLANNERS:
            assert client.post(url, _post(p)).status_code == 403, role
    assert not SampleDraw.objects.exists()


def test_planning_a_month_from_the_page_then_again_shows_what_exists(
    p: Personas, cycle: Cycle
) -> None:
    _team_quota(p, cycle)
    _cases(p)
    client = p.client_for(p.moderator)
    url = reverse("sampling:month_plan", args=[cycle.public_id])
    response = client.post(url, _post(p))
    detail = reverse("sampling:month_detail", args=[cycle.public_id, 2026, 5])
    assert response.status_code == 302 and response["Location"] == detail
    body = client.get(detail).content.decode()
    assert "North A" in body and "North B" in body and "6 audits planned" in body
    again = client.post(url, _post(p))
    again_body = again.content.decode()
    assert again.status_code == 200
    assert "govuk-error-summary" in again_body and "already planned" in again_body
    assert Audit.objects.count() == 6
    assert detail in client.get(url).content.decode()  # the month links to what was planned


def test_the_plan_a_month_page_explains_a_cycle_without_team_quotas(
    p: Personas, cycle: Cycle
) -> None:
    body = (
        p.client_for(p.moderator)
        .get(reverse("sampling:month_plan", args=[cycle.public_id]))
        .content.decode()
    )
    assert "no quota of cases from each team" in body
    assert "Plan the month" not in body


def test_the_month_page_is_for_planners_and_months_in_the_cycle(p: Personas, cycle: Cycle) -> None:
    url = reverse("sampling:month_detail", args=[cycle.public_id, 2026, 5])
    for role, staff in p.all_roles().items():
        assert p.client_for(staff).get(url).status_code == (200 if role in PLANNERS else 403)
    client = p.client_for(p.moderator)
    for year, month in ((2027, 5), (2026, 13)):
        outside = reverse("sampling:month_detail", args=[cycle.public_id, year, month])
        assert client.get(outside).status_code == 404


def test_the_month_page_queries_do_not_grow_with_teams_or_cases(
    p: Personas, cycle: Cycle, django_assert_max_num_queries: Any
) -> None:
    # Three a team leaves cases nobody can take in May too: both pages name some, so both
    # write their reads to the access log (one insert, however many).
    _team_quota(p, cycle, n=3)
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="dip_sample",
        per_month=1,
        by=p.moderator,
    )
    _cases(p)
    _run(p, cycle)
    client = p.client_for(p.moderator)
    url = reverse("sampling:month_detail", args=[cycle.public_id, 2026, 5])
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for name in ("North C", "North D", "North E"):
        team = Team.objects.create(service=p.north, name=name)
        cases_make(6, team=team, prefix=name[-1])
    june = datetime.date(2026, 6, 1)
    _run(p, cycle, month=june)
    url = reverse("sampling:month_detail", args=[cycle.public_id, 2026, 6])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert "North E" in body and "could not be assigned" in body


def test_audits_already_drawn_for_a_team_that_month_count_towards_its_quota(
    p: Personas, cycle: Cycle
) -> None:
    from auditloop.sampling.rules.draws import DrawSpec
    from auditloop.sampling.services.draws import DrawPlan, draw_save

    _team_quota(p, cycle)
    _cases(p)
    draw_save(
        spec=DrawSpec(seed=1, size=2, team_id=p.north_b.pk),
        by=p.moderator,
        plan=DrawPlan(
            cycle=cycle,
            audit_type="dip_sample",
            tool_version=p.compliance_tool,
            planned_month=MAY,
            create_audits=True,
        ),
    )
    result = _run(p, cycle)
    by_team = {t.team: (t.already, t.draw.size, t.audits) for t in result.teams}
    assert by_team == {p.north_a: (0, 3, 3), p.north_b: (2, 1, 1)}
    assert Audit.objects.filter(team=p.north_b, cycle_link__planned_month=MAY).count() == 3


def test_the_month_page_logs_a_read_of_each_case_it_names_as_unassigned(
    p: Personas, cycle: Cycle
) -> None:
    _team_quota(p, cycle)
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="dip_sample",
        per_month=2,
        by=p.moderator,
    )
    _cases(p)
    result = _run(p, cycle)
    AccessLog.objects.all().delete()
    p.client_for(p.moderator).get(
        reverse("sampling:month_detail", args=[cycle.public_id, MAY.year, MAY.month])
    )
    reads = AccessLog.objects.filter(purpose="month plan", user=p.moderator.user)
    assert result.unassigned == 2
    assert reads.count() == 2
