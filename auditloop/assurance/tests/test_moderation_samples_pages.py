"""The pages of what is moderated and by whom: a cycle's moderation (drawing its sample), a
sample's workings, the audit leads' list, the audits given to someone to moderate, the home
page, and the cycle's settings. Children are named only to those who may read the audit, and
every child named is logged as read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember, User
from auditloop.assurance.models import ModerationReason, ModerationSample, ModerationStatus
from auditloop.assurance.selectors.moderation_samples import (
    cycle_moderations,
    moderation_population,
    requests_waiting_for_cycle,
)
from auditloop.assurance.services.moderation_samples import (
    moderation_add,
    moderation_request_create,
    moderation_sample_draw,
)
from auditloop.assurance.tests.moderation_sample_factories import (
    asker_words_read,
    cycle_audit,
    moderation_of,
    north_cycle,
)
from auditloop.audits.models import Audit, AuditStatus, Grade
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle
from auditloop.sampling.services.cycles import cycle_update
from auditloop.testing import Personas, make_staff


def _reads(staff_user: User | None, purpose: str) -> set[str]:
    return set(
        AccessLog.objects.filter(user=staff_user, purpose=purpose).values_list(
            "target_id", flat=True
        )
    )


def _south_audit(p: Personas) -> Audit:
    """A submitted audit of a South case, which the North audit lead cannot read."""
    return cycle_audit(p, None, case=p.outsider_case, auditor=p.outsider_manager)


# A cycle's moderation and its samples ---------------------------------------------------------


def test_the_lead_draws_the_sample_from_the_cycles_moderation_page(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    inadequate = cycle_audit(p, cycle, grade_code="inadequate")
    cycle_audit(p, cycle, grade_code="good")
    client = p.client_for(p.moderator)
    url = reverse("assurance:moderation_cycle", args=[cycle.public_id])
    page = client.get(url).content.decode()
    assert "2 audits submitted since the last sample are waiting to be considered" in page
    assert "rounded up to a whole audit" in page
    response = client.post(url, {"seed": "4821"})
    sample = ModerationSample.objects.get()
    assert response["Location"] == reverse("assurance:moderation_sample", args=[sample.public_id])
    assert sample.seed == 4821
    assert list(sample.moderations.values_list("audit", flat=True)) == [inadequate.pk]


def test_the_cycles_page_counts_only_what_a_sample_drawn_now_would_consider(
    p: Personas,
) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    cycle_audit(p, cycle, grade_code="inadequate")
    cycle_audit(p, cycle, grade_code="good")
    moderation_sample_draw(cycle=cycle, by=p.moderator, seed=1)
    cycle_audit(p, cycle, grade_code="good")
    cycle_audit(p, cycle, grade_code="good", status=AuditStatus.IN_PROGRESS)
    url = reverse("assurance:moderation_cycle", args=[cycle.public_id])
    page = p.client_for(p.moderator).get(url).content.decode()
    assert "1 audit submitted since the last sample is waiting to be considered" in page
    assert len(moderation_population(cycle)) == 1


def test_the_cycles_page_counts_the_audits_to_consider_without_reading_their_grades(
    p: Personas,
) -> None:
    """The page shows only how many: reading each audit's grade, as a draw does, was most of
    the page's time on the national council (a cycle of 19,000 audits to consider)."""
    cycle = north_cycle(p, moderation_percent=0)
    cycle_audit(p, cycle, grade_code="inadequate")
    cycle_audit(p, cycle, grade_code="good")
    url = reverse("assurance:moderation_cycle", args=[cycle.public_id])
    client = p.client_for(p.moderator)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "2 audits submitted since the last sample are waiting to be considered" in page
    grades = connection.ops.quote_name(Grade._meta.db_table)
    assert not [q["sql"] for q in queries if grades in q["sql"]]


def test_a_draw_with_nothing_to_consider_shows_why_on_the_page(p: Personas) -> None:
    cycle = north_cycle(p)
    response = p.client_for(p.moderator).post(
        reverse("assurance:moderation_cycle", args=[cycle.public_id]), {"seed": "1"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "nothing to moderate" in body
    assert "<title>Error: " in body


def test_a_seed_that_is_not_a_number_is_refused_on_the_form(p: Personas) -> None:
    cycle = north_cycle(p)
    cycle_audit(p, cycle)
    response = p.client_for(p.moderator).post(
        reverse("assurance:moderation_cycle", args=[cycle.public_id]), {"seed": "lucky"}
    )
    assert "The seed must be a whole number" in response.content.decode()
    assert not ModerationSample.objects.exists()


def test_the_cycles_moderation_shows_each_audits_reason_status_and_moderator(
    p: Personas,
) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    asked = cycle_audit(p, cycle, grade_code="good")
    moderation_request_create(audit=asked, by=p.team_manager, reason="Too generous, I think.")
    cycle_audit(p, cycle, grade_code="inadequate")
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=99)
    regrading = sample.moderations.get(reason=ModerationReason.INADEQUATE)
    regrading.moderator, regrading.status = p.senior_leader, ModerationStatus.REGRADING
    regrading.save()
    page = (
        p.client_for(p.moderator)
        .get(reverse("assurance:moderation_cycle", args=[cycle.public_id]))
        .content.decode()
    )
    for text in (
        "99",  # the seed
        "Graded Inadequate",
        "Asked for by Mary Manager: Too generous, I think.",
        "Regrading",
        "Lee Leader",
        "Waiting for a moderator",
        "Give it a moderator",
        "Change the moderator",
    ):
        assert text in page, text


def test_the_sample_page_shows_the_seed_the_population_and_that_it_draws_again_the_same(
    p: Personas,
) -> None:
    cycle = north_cycle(p, moderation_percent=20)
    for code in ["good"] * 9 + ["outstanding"]:
        cycle_audit(p, cycle, grade_code=code)
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=123)
    page = (
        p.client_for(p.moderator)
        .get(reverse("assurance:moderation_sample", args=[sample.public_id]))
        .content.decode()
    )
    assert "123" in page
    assert "Every audit considered (10)" in page
    assert "2 of the other 9: 20% of 9 is 1.8, rounded up to 2" in page
    assert "the random share chooses the same 2 audits" in page
    assert "Graded Outstanding" in page


def test_the_cycle_and_sample_pages_are_for_audit_leads(p: Personas) -> None:
    cycle = north_cycle(p)
    cycle_audit(p, cycle)
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=1)
    for url in (
        reverse("assurance:moderation_cycle", args=[cycle.public_id]),
        reverse("assurance:moderation_sample", args=[sample.public_id]),
    ):
        assert p.client_for(p.moderator).get(url).status_code == 200
        for staff in (p.auditor, p.team_manager, p.senior_leader, p.practitioner):
            assert p.client_for(staff).get(url).status_code == 403
    south_lead = make_staff("southlead", "Sol South Lead", Role.MODERATOR, services=[p.south])
    url = reverse("assurance:moderation_cycle", args=[cycle.public_id])
    assert p.client_for(south_lead).get(url).status_code == 404


def test_a_lead_who_oversees_only_part_of_the_cycle_sees_it_but_cannot_draw(p: Personas) -> None:
    cycle = north_cycle(p)
    cycle.services.add(p.south)
    cycle_audit(p, cycle)
    url = reverse("assurance:moderation_cycle", args=[cycle.public_id])
    page = p.client_for(p.moderator).get(url).content.decode()
    assert "Draw the moderation sample" not in page
    assert p.client_for(p.moderator).post(url, {"seed": "1"}).status_code == 403


def test_the_sample_names_only_the_children_the_lead_may_read_and_logs_them(
    p: Personas,
) -> None:
    cycle = north_cycle(p, moderation_percent=100)
    cycle.services.add(p.south)  # a cycle across both services, drawn by a lead over both
    lead = make_staff("bothlead", "Bea Both Lead", Role.MODERATOR, services=[p.north, p.south])
    north = cycle_audit(p, cycle)
    south = cycle_audit(p, cycle, case=p.outsider_case, auditor=p.outsider_manager)
    sample = moderation_sample_draw(cycle=cycle, by=lead, seed=1)
    url = reverse("assurance:moderation_sample", args=[sample.public_id])
    page = p.client_for(p.moderator).get(url).content.decode()
    assert p.case.la_child_id in page
    assert p.outsider_case.la_child_id not in page
    assert "you cannot read this audit" in page
    assert _reads(p.moderator.user, "moderation sample") == {str(north.public_id)}
    assert str(south.public_id) not in _reads(p.moderator.user, "moderation sample")


def _row(row: object, *names: str) -> tuple[object, ...]:
    """What a selector's row says for the reader, by its annotations' names."""
    return tuple(getattr(row, name) for name in names)


def _cycle_across_north_and_south(p: Personas) -> tuple[Cycle, StaffMember]:
    """A cycle over North and South, and an audit lead over South only: they see the cycle's
    moderation, but may not read an audit of North."""
    cycle = north_cycle(p, moderation_percent=0)
    cycle.services.add(p.south)
    south_lead = make_staff("southlead", "Sol South Lead", Role.MODERATOR, services=[p.south])
    return cycle, south_lead


def test_a_lead_over_another_service_is_not_told_what_was_asked_of_an_audit_they_cannot_read(
    p: Personas,
) -> None:
    cycle, south_lead = _cycle_across_north_and_south(p)
    waiting = cycle_audit(p, cycle)
    moderation_request_create(audit=waiting, by=p.team_manager, reason="Too generous, I think.")
    added = moderation_add(
        audit=cycle_audit(p, cycle), by=p.moderator, reason="The plan has drifted."
    )
    url = reverse("assurance:moderation_cycle", args=[cycle.public_id])
    client = p.client_for(south_lead)
    assert client.get(reverse("audits:detail", args=[waiting.public_id])).status_code == 404
    with asker_words_read() as read:
        page = client.get(url).content.decode()
    assert read == []  # not shown, and not even loaded
    for hidden in (
        "Too generous, I think.",
        "The plan has drifted.",
        "Added by Morgan Moderator",
        "Give it a moderator",
        reverse("assurance:moderation_assign", args=[added.public_id]),
        p.case.la_child_id,
    ):
        assert hidden not in page, hidden
    assert "Not shown: you cannot read this audit" in page
    assert not AccessLog.objects.filter(user=south_lead.user).exists()
    # The lead over North reads them all, as on the audit's own page, and the reads are logged.
    north_page = p.client_for(p.moderator).get(url).content.decode()
    for shown in (
        "Too generous, I think.",
        "Added by Morgan Moderator: The plan has drifted.",
        "Give it a moderator",
    ):
        assert shown in north_page, shown
    assert _reads(p.moderator.user, "moderation sample") == {
        str(waiting.public_id),
        str(added.audit.public_id),
    }


def test_the_words_of_a_request_the_lead_may_not_read_are_not_even_loaded(p: Personas) -> None:
    cycle, south_lead = _cycle_across_north_and_south(p)
    waiting = cycle_audit(p, cycle)
    moderation_request_create(audit=waiting, by=p.team_manager, reason="Too generous, I think.")
    moderation_add(audit=cycle_audit(p, cycle), by=p.moderator, reason="The plan has drifted.")
    [moderation] = cycle_moderations(cycle, south_lead)
    assert moderation.request is not None
    assert "reason" in moderation.request.get_deferred_fields()
    assert _row(moderation, "may_read", "request_reason", "may_assign") == (False, "", False)
    [request] = requests_waiting_for_cycle(cycle, south_lead)
    assert "reason" in request.get_deferred_fields()
    assert _row(request, "may_read", "reason_shown") == (False, "")
    [theirs] = cycle_moderations(cycle, p.moderator)
    assert _row(theirs, "request_reason", "may_assign") == ("The plan has drifted.", True)
    [asked] = requests_waiting_for_cycle(cycle, p.moderator)
    assert _row(asked, "reason_shown") == ("Too generous, I think.",)


def test_the_sample_does_not_say_why_an_audit_the_lead_may_not_read_was_chosen(
    p: Personas,
) -> None:
    cycle, south_lead = _cycle_across_north_and_south(p)
    both = make_staff("bothlead", "Bea Both Lead", Role.MODERATOR, services=[p.north, p.south])
    asked = cycle_audit(p, cycle)
    moderation_request_create(audit=asked, by=p.team_manager, reason="Too generous, I think.")
    cycle_audit(p, cycle, grade_code="inadequate")
    sample = moderation_sample_draw(cycle=cycle, by=both, seed=7)
    url = reverse("assurance:moderation_sample", args=[sample.public_id])
    page = p.client_for(south_lead).get(url).content.decode()
    assert "Too generous, I think." not in page
    assert "Asked for by Mary Manager" not in page
    assert "Yes: " not in page  # the population's rows say chosen, not why
    assert page.count("Not shown: you cannot read this audit") == 2
    north_page = p.client_for(p.moderator).get(url).content.decode()
    assert "Asked for by Mary Manager: Too generous, I think." in north_page
    assert "Yes: graded inadequate" in north_page


def test_the_moderator_regrading_blind_is_not_told_why_the_audit_was_chosen(
    p: Personas,
) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    audit = cycle_audit(p, cycle, grade_code="inadequate")
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=1)
    moderation = sample.moderations.get()
    lead2 = make_staff("lead2", "Robin Second Lead", Role.MODERATOR, services=[p.north])
    moderation.moderator, moderation.status = lead2, ModerationStatus.REGRADING
    moderation.save()
    for url in (
        reverse("assurance:moderation_cycle", args=[cycle.public_id]),
        reverse("assurance:moderation_sample", args=[sample.public_id]),
        reverse("assurance:moderation_list"),
        reverse("audits:detail", args=[audit.public_id]),
        reverse("assurance:moderation_assign", args=[moderation.public_id]),
    ):
        own = p.client_for(lead2).get(url).content.decode()
        assert "Graded Inadequate" not in own, url
        assert "Not shown while you regrade it" in own or "Yes</td>" in own, url
        other = p.client_for(p.moderator).get(url).content.decode()
        assert "Graded Inadequate" in other or "graded inadequate" in other, url


# The lists ------------------------------------------------------------------------------------


def test_the_leads_list_shows_every_moderation_in_their_services_by_status_and_cycle(
    p: Personas,
) -> None:
    cycle = north_cycle(p)
    waiting = moderation_of(cycle_audit(p, cycle))
    regrading = moderation_of(
        cycle_audit(p, None), status=ModerationStatus.REGRADING, moderator=p.senior_leader
    )
    moderation_of(_south_audit(p))
    client = p.client_for(p.moderator)
    url = reverse("assurance:moderation_list")
    page = client.get(url)
    assert list(page.context["page"]) == [regrading, waiting]
    assert p.outsider_case.la_child_id not in page.content.decode()
    by_status = client.get(url, {"status": "unassigned"})
    assert list(by_status.context["page"]) == [waiting]
    by_cycle = client.get(url, {"cycle": str(cycle.public_id)})
    assert list(by_cycle.context["page"]) == [waiting]
    assert _reads(p.moderator.user, "moderation listed") == {
        str(waiting.audit.public_id),
        str(regrading.audit.public_id),
    }


def test_the_moderators_list_names_every_child_they_moderate_even_outside_their_line(
    p: Personas,
) -> None:
    """Their moderator reads each child's ID on the moderation's page, even of an audit they
    could not otherwise read: the list names it too (so four rows are not four identical
    links), and logs each read."""
    readable = moderation_of(
        cycle_audit(p, north_cycle(p)),
        status=ModerationStatus.REGRADING,
        moderator=p.senior_leader,
    )
    outside = moderation_of(
        _south_audit(p),
        status=ModerationStatus.REGRADING,
        moderator=p.senior_leader,
    )
    response = p.client_for(p.senior_leader).get(reverse("assurance:moderation_mine"))
    page = response.content.decode()
    assert list(response.context["page"]) == [outside, readable]
    assert p.case.la_child_id in page
    assert p.outsider_case.la_child_id in page
    assert "Graded" not in page  # no reason: it would tell them the auditor's grade
    assert _reads(p.senior_leader.user, "moderation listed") == {
        str(readable.audit.public_id),
        str(outside.audit.public_id),
    }


def test_the_moderators_list_is_for_those_who_may_moderate(p: Personas) -> None:
    url = reverse("assurance:moderation_mine")
    for staff, status in [
        (p.auditor, 200),
        (p.team_manager, 200),
        (p.moderator, 200),
        (p.senior_leader, 200),
        (p.practitioner, 403),
        (p.board_member, 403),
        (p.administrator, 403),
    ]:
        assert p.client_for(staff).get(url).status_code == status, staff.name
    assert "You have not been given any audits to moderate." in (
        p.client_for(p.auditor).get(url).content.decode()
    )


def test_the_moderators_home_shows_the_audits_waiting_for_them(p: Personas) -> None:
    moderation_of(
        cycle_audit(p, north_cycle(p)), status=ModerationStatus.REGRADING, moderator=p.moderator
    )
    # Waiting for a moderator: counted on the lead's home, not listed as theirs.
    moderation_of(cycle_audit(p, None, auditor=p.team_manager))
    page = p.client_for(p.moderator).get(reverse("home")).content.decode()
    assert "Audits waiting for you to moderate" in page
    assert p.case.la_child_id in page
    assert "1 moderation in your services is waiting for a moderator" in page
    assert "Audits waiting for you to moderate" not in (
        p.client_for(p.auditor).get(reverse("home")).content.decode()
    )


def test_the_home_list_asks_as_many_queries_for_one_moderation_as_for_ten(p: Personas) -> None:
    client = p.client_for(p.senior_leader)

    def measure() -> int:
        client.get(reverse("home"))
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("home"))
        return len(captured.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            case = ChildCase.objects.create(
                la_child_id=f"H{i:03}{n}", cohort=Cohort.CIN, allocated_team=p.north_b
            )
            moderation_of(
                cycle_audit(p, None, case=case),
                status=ModerationStatus.REGRADING,
                moderator=p.senior_leader,
            )

    add(1)
    one = measure()
    add(9)
    assert measure() == one


# The cycle's settings -------------------------------------------------------------------------


def _settings_form(p: Personas, **extra: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "North, April to September 2026",
        "starts_on-day": "1",
        "starts_on-month": "4",
        "starts_on-year": "2026",
        "ends_on-day": "30",
        "ends_on-month": "9",
        "ends_on-year": "2026",
        "tools": [str(p.compliance_tool.pk), str(p.quality_tool.pk)],
        "audit_types": ["dip_sample", "deep_dive"],
        "moderation_percent": "20",
        "revisit_weeks": "8",
    }
    data.update(extra)
    return data


def test_the_lead_sets_the_cycles_moderation_share_and_revisit_weeks(p: Personas) -> None:
    cycle = north_cycle(p)
    client = p.client_for(p.moderator)
    url = reverse("sampling:cycle_edit", args=[cycle.public_id])
    form = client.get(url).content.decode()
    assert 'name="moderation_percent"' in form and 'value="15"' in form
    assert 'name="revisit_weeks"' in form and 'value="6"' in form
    assert client.post(url, _settings_form(p)).status_code == 302
    cycle.refresh_from_db()
    assert (cycle.moderation_percent, cycle.revisit_weeks) == (20, 8)
    detail = client.get(reverse("sampling:cycle_detail", args=[cycle.public_id])).content.decode()
    assert "20% of the rest at random" in detail
    assert "8 weeks after an agreed Inadequate grade" in detail


def test_a_share_or_weeks_out_of_range_are_refused_with_a_clear_message(p: Personas) -> None:
    cycle = north_cycle(p)
    url = reverse("sampling:cycle_edit", args=[cycle.public_id])
    response = p.client_for(p.moderator).post(
        url, _settings_form(p, moderation_percent="101", revisit_weeks="0")
    )
    body = response.content.decode()
    assert "The share moderated at random must be 100 or less" in body
    assert "The weeks before a revisit must be 1 or more" in body
    cycle.refresh_from_db()
    assert (cycle.moderation_percent, cycle.revisit_weeks) == (15, 6)


def test_the_service_refuses_a_share_out_of_range_too(p: Personas) -> None:
    cycle = north_cycle(p)
    with pytest.raises(Refused) as refused:
        cycle_update(
            cycle=cycle,
            name=cycle.name,
            starts_on=datetime.date(2026, 4, 1),
            ends_on=cycle.ends_on,
            tools=list(cycle.tools.all()),
            audit_types=cycle.audit_types,
            moderation_percent=-5,
            by=p.moderator,
        )
    assert refused.value.field == "moderation_percent"
    cycle.refresh_from_db()
    assert cycle.moderation_percent == 15


def test_the_moderators_own_list_asks_as_many_queries_for_one_audit_as_for_several(
    p: Personas,
) -> None:
    client = p.client_for(p.senior_leader)
    url = reverse("assurance:moderation_mine")

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    empty = queries()
    moderation_of(
        cycle_audit(p, north_cycle(p)), status=ModerationStatus.REGRADING, moderator=p.senior_leader
    )
    one = queries()
    for _ in range(3):
        moderation_of(
            cycle_audit(p, north_cycle(p)),
            status=ModerationStatus.REGRADING,
            moderator=p.senior_leader,
        )
    assert queries() == one
    assert one > empty  # the rows' own details are asked for only when there are rows
