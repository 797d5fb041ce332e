"""Deep dives and thematic audits are chosen, not drawn: the pick list, its reasons, and the
audits planned from it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.audits.models import Audit
from auditloop.core.models import AccessLog, Event
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, DrawMethod, QuotaKind, SampleDraw
from auditloop.sampling.selectors.picks import pick_list_of
from auditloop.sampling.services.cycles import quota_add
from auditloop.sampling.services.picks import pick_add, pick_remove, picks_plan
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas, make_staff

MAY = datetime.date(2026, 5, 1)
PLANNERS = {"moderator"}


def _plan(p: Personas, cycle: Cycle, **overrides: Any) -> Any:
    args: dict[str, Any] = {
        "cycle": cycle,
        "audit_type": "deep_dive",
        "tool_version": p.quality_tool,
        "planned_month": MAY,
        "auditor": None,
        "by": p.moderator,
    }
    args.update(overrides)
    return picks_plan(**args)


# Services


def test_a_chosen_case_is_kept_with_its_reason_and_who_chose_it(p: Personas, cycle: Cycle) -> None:
    row = pick_add(cycle=cycle, case=p.case, reason="  Repeat referral  ", by=p.moderator)
    draft = pick_list_of(cycle)
    assert draft is not None
    assert draft.method == DrawMethod.CHOSEN and draft.is_draft
    assert (row.reason, row.added_by, row.stratum_label) == (
        "Repeat referral",
        p.moderator.user,
        "North A",
    )
    event = Event.objects.get(verb="sample.case_chosen")
    assert "00123" not in str(event.after)  # the child's ID is never logged


def test_a_case_needs_a_reason(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(Refused, match="why this case") as refused:
        pick_add(cycle=cycle, case=p.case, reason="   ", by=p.moderator)
    assert refused.value.field == "reason"
    assert not SampleDraw.objects.exists()


def test_a_case_outside_the_cycles_services_cannot_be_chosen(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(Refused, match="No open case"):
        pick_add(cycle=cycle, case=p.outsider_case, reason="Concern", by=p.moderator)


def test_a_closed_case_cannot_be_chosen(p: Personas, cycle: Cycle) -> None:
    [closed] = cases_make(1, team=p.north_b, prefix="CL", is_open=False)
    with pytest.raises(Refused, match="No open case"):
        pick_add(cycle=cycle, case=closed, reason="Concern", by=p.moderator)


def test_a_case_is_on_the_list_once(p: Personas, cycle: Cycle) -> None:
    pick_add(cycle=cycle, case=p.case, reason="One", by=p.moderator)
    with pytest.raises(Refused, match="already on the list"):
        pick_add(cycle=cycle, case=p.case, reason="Two", by=p.moderator)


def test_only_a_planner_of_the_cycle_can_choose(p: Personas, cycle: Cycle) -> None:
    for person in (p.senior_leader, p.auditor, p.team_manager):
        with pytest.raises(Refused, match="audit lead"):
            pick_add(cycle=cycle, case=p.case, reason="Concern", by=person)


def test_a_case_taken_off_the_list_is_gone_and_logged(p: Personas, cycle: Cycle) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    pick_remove(cycle=cycle, case=p.case, by=p.moderator)
    draft = pick_list_of(cycle)
    assert draft is not None and not draft.chosen.exists()
    assert Event.objects.filter(verb="sample.case_unchosen").count() == 1
    with pytest.raises(Refused, match="not on the list"):
        pick_remove(cycle=cycle, case=p.case, by=p.moderator)


def test_sharing_chosen_cases_out_evenly_respects_independence(p: Personas, cycle: Cycle) -> None:
    north_b = cases_make(2, team=p.north_b, prefix="NB")
    for case in [p.case, *north_b]:
        pick_add(cycle=cycle, case=case, reason="Concern", by=p.moderator)
    planned = _plan(p, cycle)
    audits = {a.case_id: a for a in planned.audits}
    assert len(audits) == 3 and not planned.unassigned
    # The team manager manages the practitioner who holds p.case: the auditor has it.
    assert audits[p.case.pk].auditor == p.auditor
    assert {a.auditor for a in audits.values()} == {p.auditor, p.team_manager}
    draw = planned.draw
    draw.refresh_from_db()
    assert (draw.is_draft, draw.audit_type, draw.size, draw.planned_month) == (
        False,
        "deep_dive",
        3,
        MAY,
    )
    assert all(a.cycle_link.planned_month == MAY for a in planned.audits)
    assert pick_list_of(cycle) is None  # the next case chosen starts a new list


def test_a_named_auditor_takes_every_chosen_case(p: Personas, cycle: Cycle) -> None:
    for case in cases_make(2, team=p.north_a, prefix="NA"):
        pick_add(cycle=cycle, case=case, reason="Concern", by=p.moderator)
    planned = _plan(p, cycle, auditor=p.auditor)
    assert {a.auditor for a in planned.audits} == {p.auditor}


def test_a_named_auditor_who_manages_a_chosen_case_is_refused(p: Personas, cycle: Cycle) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    with pytest.raises(Refused, match="holds or manages 1 of the chosen") as refused:
        _plan(p, cycle, auditor=p.team_manager)
    assert refused.value.field == "auditor"
    assert not Audit.objects.exists()
    assert pick_list_of(cycle) is not None  # the list is kept


def test_a_named_auditor_outside_the_pool_is_refused(p: Personas, cycle: Cycle) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    other = make_staff("qa2", "Quinn QA", Role.AUDITOR, p.north_b)
    with pytest.raises(Refused, match="not an active auditor in this cycle"):
        _plan(p, cycle, auditor=other)


def test_a_named_auditor_past_their_monthly_quota_is_refused(p: Personas, cycle: Cycle) -> None:
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="deep_dive",
        per_month=1,
        by=p.moderator,
    )
    for case in cases_make(2, team=p.north_a, prefix="NA"):
        pick_add(cycle=cycle, case=case, reason="Concern", by=p.moderator)
    with pytest.raises(Refused, match="their quota is 1 a month"):
        _plan(p, cycle, auditor=p.auditor)


def test_shared_out_cases_past_every_quota_are_kept_unassigned_with_the_reason(
    p: Personas, cycle: Cycle
) -> None:
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="deep_dive",
        per_month=1,
        by=p.moderator,
    )
    for case in cases_make(3, team=p.north_b, prefix="NB"):
        pick_add(cycle=cycle, case=case, reason="Concern", by=p.moderator)
    planned = _plan(p, cycle)
    assert len(planned.audits) == 2
    [(position, reason)] = planned.unassigned
    assert "quota" in reason
    assert planned.draw.chosen.get(position=position).unassigned_reason == reason


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"audit_type": "dip_sample"}, "dip samples are drawn"),
        ({"audit_type": "thematic"}, "types of audit this cycle plans"),
        ({"tool_version": None}, "cycle's audit tools"),
        ({"planned_month": datetime.date(2027, 1, 1)}, "month inside the cycle"),
    ],
)
def test_planning_chosen_cases_refuses_what_the_cycle_does_not_plan(
    p: Personas, cycle: Cycle, overrides: dict[str, Any], message: str
) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    with pytest.raises(Refused, match=message):
        _plan(p, cycle, **overrides)
    assert not Audit.objects.exists()


def test_a_thematic_audit_needs_its_theme_and_passes_it_on(p: Personas, cycle: Cycle) -> None:
    cycle.audit_types = ["dip_sample", "deep_dive", "thematic"]
    cycle.save()
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    with pytest.raises(Refused, match="theme"):
        _plan(p, cycle, audit_type="thematic", theme=" ")
    planned = _plan(p, cycle, audit_type="thematic", theme="Neglect")
    assert [a.theme for a in planned.audits] == ["Neglect"]
    assert planned.draw.theme == "Neglect"


def test_an_empty_list_cannot_be_planned(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(Refused, match="at least one case"):
        _plan(p, cycle)


# Pages


def test_the_choose_page_is_for_planners_only(p: Personas, cycle: Cycle) -> None:
    url = reverse("sampling:choose", args=[cycle.public_id])
    for role, staff in p.all_roles().items():
        status = p.client_for(staff).get(url).status_code
        assert status == (200 if role in PLANNERS else 403), role


@pytest.mark.parametrize(
    "url_name", ["sampling:choose_find", "sampling:choose_add", "sampling:choose_remove"]
)
def test_the_choose_actions_refuse_everyone_else(p: Personas, cycle: Cycle, url_name: str) -> None:
    url = reverse(url_name, args=[cycle.public_id])
    for role, staff in p.all_roles().items():
        if role in PLANNERS:
            continue
        response = p.client_for(staff).post(url, {"la_child_id": "00123", "reason": "x"})
        assert response.status_code == 403, role
    assert not SampleDraw.objects.exists()


def test_a_lead_finds_a_case_by_post_and_adds_it_with_a_reason(p: Personas, cycle: Cycle) -> None:
    client = p.client_for(p.moderator)
    assert client.get(reverse("sampling:choose_find", args=[cycle.public_id])).status_code == 405
    found = client.post(
        reverse("sampling:choose_find", args=[cycle.public_id]), {"la_child_id": " 00123 "}
    )
    body = found.content.decode()
    assert found.status_code == 200
    assert "Case 00123" in body and "Pat Practitioner" in body
    assert "pool except Mary Manager, who holds or manages it" in body
    assert AccessLog.objects.filter(target_id=str(p.case.public_id), purpose="search").exists()
    response = client.post(
        reverse("sampling:choose_add", args=[cycle.public_id]),
        {"case": str(p.case.public_id), "reason": "Three referrals in a year"},
    )
    assert response.status_code == 302
    assert "00123" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Three referrals in a year" in page


def test_a_case_outside_the_cycle_answers_as_missing(p: Personas, cycle: Cycle) -> None:
    client = p.client_for(p.moderator)
    url = reverse("sampling:choose_find", args=[cycle.public_id])
    outside = client.post(url, {"la_child_id": "S-0999"}).content.decode()
    missing = client.post(url, {"la_child_id": "NOPE"}).content.decode()
    for body in (outside, missing):
        assert "No open case with that LA child ID in this cycle" in body
        assert "govuk-error-summary" in body
    assert "Olly Outsider" not in outside
    assert not AccessLog.objects.filter(target_id=str(p.outsider_case.public_id)).exists()


def test_adding_without_a_reason_shows_the_error_and_keeps_the_case(
    p: Personas, cycle: Cycle
) -> None:
    response = p.client_for(p.moderator).post(
        reverse("sampling:choose_add", args=[cycle.public_id]),
        {"case": str(p.case.public_id), "reason": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter why this case was chosen." in body and "Case 00123" in body
    assert not SampleDraw.objects.exists()


def test_adding_a_case_of_another_service_by_its_public_id_is_refused(
    p: Personas, cycle: Cycle
) -> None:
    response = p.client_for(p.moderator).post(
        reverse("sampling:choose_add", args=[cycle.public_id]),
        {"case": str(p.outsider_case.public_id), "reason": "Sneaky"},
    )
    assert response.status_code == 200
    assert "No open case" in response.content.decode()
    assert not SampleDraw.objects.exists()


def test_a_case_is_removed_from_the_list_by_post(p: Personas, cycle: Cycle) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    client = p.client_for(p.moderator)
    url = reverse("sampling:choose_remove", args=[cycle.public_id])
    assert client.post(url, {"case": "not-a-uuid"}).status_code == 404
    assert client.post(url, {"case": str(p.case.public_id)}).status_code == 302
    draft = pick_list_of(cycle)
    assert draft is not None and not draft.chosen.exists()


def test_planning_the_list_from_the_page_creates_the_audits_and_shows_the_reasons(
    p: Personas, cycle: Cycle
) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Drift in the plan", by=p.moderator)
    client = p.client_for(p.moderator)
    page = client.get(reverse("sampling:choose", args=[cycle.public_id])).content.decode()
    assert "Mary Manager" not in page.split("Plan the audits")[1]  # manages the case
    response = client.post(
        reverse("sampling:choose_plan", args=[cycle.public_id]),
        {
            "audit_type": "deep_dive",
            "theme": "",
            "tool_version": str(p.quality_tool.pk),
            "planned_month": MAY.isoformat(),
            "auditor": str(p.auditor.pk),
        },
    )
    draw = SampleDraw.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sampling:draw_detail", args=[draw.public_id])
    assert Audit.objects.get().auditor == p.auditor
    detail = client.get(response["Location"]).content.decode()
    assert "Why these cases were chosen" in detail and "Drift in the plan" in detail
    cycle_page = client.get(reverse("sampling:cycle_detail", args=[cycle.public_id]))
    assert "Chosen by the audit lead" in cycle_page.content.decode()


def test_choosing_an_auditor_who_manages_a_case_is_not_offered(p: Personas, cycle: Cycle) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    response = p.client_for(p.moderator).post(
        reverse("sampling:choose_plan", args=[cycle.public_id]),
        {
            "audit_type": "deep_dive",
            "tool_version": str(p.quality_tool.pk),
            "planned_month": MAY.isoformat(),
            "auditor": str(p.team_manager.pk),
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Audit.objects.exists()


def test_the_choose_page_queries_do_not_grow_with_the_list(
    p: Personas, cycle: Cycle, django_assert_max_num_queries: Any
) -> None:
    client = p.client_for(p.moderator)
    url = reverse("sampling:choose", args=[cycle.public_id])
    cases = cases_make(20, team=p.north_b, prefix="NB")
    pick_add(cycle=cycle, case=cases[0], reason="Concern", by=p.moderator)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for case in cases[1:]:
        pick_add(cycle=cycle, case=case, reason="Concern", by=p.moderator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count("Concern") == 20


def test_showing_the_pick_list_is_logged_as_a_read_of_each_case_on_it(
    p: Personas, cycle: Cycle
) -> None:
    pick_add(cycle=cycle, case=p.case, reason="Concern", by=p.moderator)
    AccessLog.objects.all().delete()
    p.client_for(p.moderator).get(reverse("sampling:choose", args=[cycle.public_id]))
    read = AccessLog.objects.get(target_id=str(p.case.public_id))
    assert (read.user, read.purpose) == (p.moderator.user, "pick list")
