"""The cycle and sampling pages: each works, and each checks who may use it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.audits.models import Audit, AuditStatus
from auditloop.core.models import AccessLog
from auditloop.sampling.models import Cycle, QuotaKind, SampleDraw
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.services.cycles import quota_add
from auditloop.sampling.services.draws import DrawPlan, draw_save
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas

PLANNERS = {"moderator"}
READERS = PLANNERS | {"senior_leader"}


def _draw_post(p: Personas, action: str, **extra: Any) -> dict[str, Any]:
    data = {
        "cohort": "",
        "service": "",
        "team": "",
        "exclude_months": "12",
        "stratify": "team",
        "allocation": "proportional",
        "size_method": "count",
        "size": "6",
        "confidence": "0.95",
        "seed": "7",
        "audit_type": "dip_sample",
        "tool_version": str(p.compliance_tool.pk),
        "planned_month": "2026-05-01",
        "action": action,
    }
    data.update(extra)
    return data


def _saved_draw(p: Personas, cycle: Cycle) -> SampleDraw:
    cases_make(8, team=p.north_b, prefix="NB")
    return draw_save(
        spec=DrawSpec(seed=3, size=4),
        by=p.moderator,
        plan=DrawPlan(
            cycle=cycle,
            audit_type="dip_sample",
            tool_version=p.compliance_tool,
            planned_month=datetime.date(2026, 5, 1),
            create_audits=True,
        ),
    ).draw


@pytest.mark.parametrize(
    ("url_name", "allowed"),
    [
        ("sampling:cycle_detail", PLANNERS),
        ("sampling:cycle_overview", READERS),
        ("sampling:draw_create", PLANNERS),
    ],
)
def test_cycle_pages_answer_only_the_roles_allowed(
    p: Personas, cycle: Cycle, url_name: str, allowed: set[str]
) -> None:
    url = reverse(url_name, args=[cycle.public_id])
    for role, staff in p.all_roles().items():
        status = p.client_for(staff).get(url).status_code
        assert status == (200 if role in allowed else 403), (role, status)


def test_the_cycle_list_answers_leads_and_leaders_only(p: Personas, cycle: Cycle) -> None:
    for role, staff in p.all_roles().items():
        response = p.client_for(staff).get(reverse("sampling:cycle_list"))
        assert response.status_code == (200 if role in READERS else 403), role
        if role in READERS:
            assert cycle.name in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(anon: Client, cycle: Cycle) -> None:
    response = anon.get(reverse("sampling:cycle_detail", args=[cycle.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_lead_from_another_service_gets_not_found(p: Personas, cycle: Cycle) -> None:
    from auditloop.accounts.models import Role
    from auditloop.testing import make_staff

    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    client = p.client_for(south_lead)
    assert client.get(reverse("sampling:cycle_detail", args=[cycle.public_id])).status_code == 404
    assert client.get(reverse("sampling:cycle_overview", args=[cycle.public_id])).status_code == 404
    assert cycle.name not in client.get(reverse("sampling:cycle_list")).content.decode()


def test_a_moderator_plans_a_cycle_through_the_form(p: Personas) -> None:
    client = p.client_for(p.moderator)
    assert client.get(reverse("sampling:cycle_create")).status_code == 200
    response = client.post(
        reverse("sampling:cycle_create"),
        {
            "name": "North autumn",
            "services": [str(p.north.pk)],
            "starts_on-day": "1",
            "starts_on-month": "10",
            "starts_on-year": "2026",
            "tools": [str(p.compliance_tool.pk)],
            "audit_types": ["dip_sample"],
            "auditors": [str(p.auditor.pk)],
            "due_extension_days": "7",
        },
    )
    cycle = Cycle.objects.get(name="North autumn")
    assert response.status_code == 302
    assert response["Location"] == reverse("sampling:cycle_detail", args=[cycle.public_id])
    assert cycle.ends_on == datetime.date(2027, 3, 31)


def test_a_cycle_form_with_mistakes_shows_the_error_summary(p: Personas) -> None:
    response = p.client_for(p.moderator).post(reverse("sampling:cycle_create"), {"name": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert "Choose at least one service the cycle covers." in body
    assert not Cycle.objects.exists()


def test_a_moderator_cannot_choose_a_service_they_do_not_oversee(p: Personas) -> None:
    response = p.client_for(p.moderator).post(
        reverse("sampling:cycle_create"),
        {"name": "South", "services": [str(p.south.pk)]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_quotas_are_added_and_removed_from_the_cycle_page(p: Personas, cycle: Cycle) -> None:
    client = p.client_for(p.moderator)
    response = client.post(
        reverse("sampling:quota_add", args=[cycle.public_id]),
        {"kind": "per_team", "audit_type": "dip_sample", "per_month": "10", "role": ""},
    )
    assert response.status_code == 302
    quota = cycle.quotas.get()
    page = client.get(reverse("sampling:cycle_detail", args=[cycle.public_id])).content.decode()
    assert "Every team" in page
    client.post(reverse("sampling:quota_remove", args=[cycle.public_id, quota.public_id]))
    assert not cycle.quotas.exists()


def test_a_senior_leader_cannot_add_a_quota(p: Personas, cycle: Cycle) -> None:
    response = p.client_for(p.senior_leader).post(
        reverse("sampling:quota_add", args=[cycle.public_id]),
        {"kind": "per_team", "audit_type": "dip_sample", "per_month": "10"},
    )
    assert response.status_code == 403
    assert not cycle.quotas.exists()


def test_the_auditor_pool_is_changed_from_the_cycle_page(p: Personas, cycle: Cycle) -> None:
    response = p.client_for(p.moderator).post(
        reverse("sampling:cycle_auditors", args=[cycle.public_id]),
        {"auditors": [str(p.auditor.pk)]},
    )
    assert response.status_code == 302
    assert list(cycle.auditors.all()) == [p.auditor]


def test_preview_shows_the_population_and_margin_of_error_and_saves_nothing(
    p: Personas, cycle: Cycle
) -> None:
    cases_make(30, team=p.north_b, prefix="NB")
    response = p.client_for(p.moderator).post(
        reverse("sampling:draw_create", args=[cycle.public_id]), _draw_post(p, "preview")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Preview" in body
    assert "31 cases" in body  # the 30 new cases and the practitioner's own
    assert "percentage points at 95% confidence" in body
    assert not SampleDraw.objects.exists()


def test_saving_a_draw_creates_the_audits_and_shows_why_each_case_was_chosen(
    p: Personas, cycle: Cycle
) -> None:
    cases_make(30, team=p.north_b, prefix="NB")
    client = p.client_for(p.moderator)
    response = client.post(
        reverse("sampling:draw_create", args=[cycle.public_id]),
        _draw_post(p, "save", create_audits="on"),
    )
    draw = SampleDraw.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sampling:draw_detail", args=[draw.public_id])
    assert Audit.objects.filter(cycle_link__draw=draw).count() == 6
    page = client.get(response["Location"]).content.decode()
    assert "gives the same 6 cases in the same order" in page
    chosen = [row.case for row in draw.chosen.select_related("case")]
    for case in chosen:
        assert case.la_child_id in page
    # The page names each chosen child's case: a read of each, and of nothing else.
    reads = AccessLog.objects.filter(user=p.moderator.user, purpose="sample draw")
    assert sorted(reads.values_list("target_id", flat=True)) == sorted(
        str(case.public_id) for case in chosen
    )
    assert not AccessLog.objects.filter(target_id=str(draw.public_id)).exists()


def test_a_draw_form_without_a_size_shows_the_error(p: Personas, cycle: Cycle) -> None:
    response = p.client_for(p.moderator).post(
        reverse("sampling:draw_create", args=[cycle.public_id]), _draw_post(p, "save", size="")
    )
    assert response.status_code == 200
    assert "Enter the number of cases to draw." in response.content.decode()
    assert not SampleDraw.objects.exists()


def test_a_draw_page_is_for_planners_only(p: Personas, cycle: Cycle) -> None:
    draw = _saved_draw(p, cycle)
    url = reverse("sampling:draw_detail", args=[draw.public_id])
    for role, staff in p.all_roles().items():
        status = p.client_for(staff).get(url).status_code
        assert status == (200 if role in PLANNERS else 403), role


def test_the_overview_counts_planned_against_done(p: Personas, cycle: Cycle) -> None:
    _saved_draw(p, cycle)
    Audit.objects.filter(pk=Audit.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        status=AuditStatus.SUBMITTED
    )
    response = p.client_for(p.senior_leader).get(
        reverse("sampling:cycle_overview", args=[cycle.public_id])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 of 4" in body


def _more_audits(p: Personas, cycle: Cycle, n: int, seed: int) -> None:
    cases_make(n, team=p.north_b, prefix=f"S{seed}-")
    draw_save(
        spec=DrawSpec(seed=seed, size=n, team_id=p.north_b.pk, exclude_months=0),
        by=p.moderator,
        plan=DrawPlan(
            cycle=cycle,
            audit_type="dip_sample",
            tool_version=p.compliance_tool,
            planned_month=datetime.date(2026, 6, 1),
            create_audits=True,
        ),
    )


def test_overview_queries_do_not_grow_with_the_number_of_audits(
    p: Personas, cycle: Cycle, django_assert_max_num_queries: Any
) -> None:
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_TEAM,
        audit_type="dip_sample",
        per_month=10,
        by=p.moderator,
    )
    client = p.client_for(p.senior_leader)
    url = reverse("sampling:cycle_overview", args=[cycle.public_id])
    _more_audits(p, cycle, 2, seed=1)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    _more_audits(p, cycle, 20, seed=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "of 22" in client.get(url).content.decode()


def test_cycle_list_and_draw_page_queries_do_not_grow_with_rows(
    p: Personas, cycle: Cycle, django_assert_max_num_queries: Any
) -> None:
    client = p.client_for(p.moderator)
    _more_audits(p, cycle, 2, seed=1)
    draw = SampleDraw.objects.get()
    with django_assert_max_num_queries(14) as list_few:
        client.get(reverse("sampling:cycle_list"))
    with django_assert_max_num_queries(14) as draw_few:
        client.get(reverse("sampling:draw_detail", args=[draw.public_id]))
    _more_audits(p, cycle, 20, seed=2)
    big = SampleDraw.objects.order_by("-pk").first()
    assert big is not None
    with django_assert_max_num_queries(len(list_few.captured_queries)):
        client.get(reverse("sampling:cycle_list"))
    assert big.chosen.count() == 20
    with django_assert_max_num_queries(len(draw_few.captured_queries)):
        client.get(reverse("sampling:draw_detail", args=[big.public_id]))


def test_the_overview_marks_a_begun_month_planned_short_of_the_team_quota(
    p: Personas, cycle: Cycle
) -> None:
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_TEAM,
        audit_type="dip_sample",
        per_month=10,
        by=p.moderator,
    )
    _saved_draw(p, cycle)  # four audits in May 2026, all in North B
    body = (
        p.client_for(p.moderator)
        .get(reverse("sampling:cycle_overview", args=[cycle.public_id]))
        .content.decode()
    )
    assert "6 short" in body  # North B, May: 4 planned of 10
    assert "10 short" in body  # North A, May: none planned


@pytest.mark.parametrize("url_name", ["sampling:cycle_create"])
def test_only_audit_leads_may_plan_a_cycle(p: Personas, url_name: str) -> None:
    for role, staff in p.all_roles().items():
        status = p.client_for(staff).get(reverse(url_name)).status_code
        assert status == (200 if role in PLANNERS else 403), role


def test_a_lead_cannot_see_a_draw_of_a_cycle_reaching_beyond_their_services(
    p: Personas,
) -> None:
    from auditloop.accounts.models import Role
    from auditloop.sampling.services.cycles import cycle_create
    from auditloop.testing import make_staff

    council_lead = make_staff(
        "councillead", "Cas Council", Role.MODERATOR, services=[p.north, p.south]
    )
    wide = cycle_create(
        name="Council-wide",
        services=[p.north, p.south],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.compliance_tool],
        audit_types=["dip_sample"],
        auditors=[p.auditor],
        by=council_lead,
    )
    draw = draw_save(
        spec=DrawSpec(seed=1, size=1),
        by=council_lead,
        plan=DrawPlan(
            cycle=wide,
            audit_type="dip_sample",
            tool_version=p.compliance_tool,
            planned_month=datetime.date(2026, 4, 1),
        ),
    ).draw
    url = reverse("sampling:draw_detail", args=[draw.public_id])
    assert p.client_for(p.moderator).get(url).status_code == 404
    assert p.client_for(council_lead).get(url).status_code == 200
    assert p.client_for(p.administrator).get(url).status_code == 403
    # The North lead sees the cycle (it covers North) but may not plan it.
    detail = reverse("sampling:cycle_detail", args=[wide.public_id])
    assert p.client_for(p.moderator).get(detail).status_code == 200
    draw_page = reverse("sampling:draw_create", args=[wide.public_id])
    assert p.client_for(p.moderator).get(draw_page).status_code == 403
