"""Cycle planning, quotas, saving draws with audits, and reminders."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail

from auditloop.accounts.models import Role
from auditloop.audits.models import Audit, AuditStatus
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, CycleAudit, QuotaKind, ReminderSent
from auditloop.sampling.rules.assignment import NOBODY_FREE
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.rules.months import due_date_for
from auditloop.sampling.services.cycles import (
    cycle_auditors_set,
    cycle_create,
    quota_add,
    quota_remove,
)
from auditloop.sampling.services.draws import DrawPlan, draw_save
from auditloop.sampling.services.reminders import reminders_send
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas, make_staff

APRIL = datetime.date(2026, 4, 1)


def test_a_cycle_lasts_six_months_unless_told_otherwise(p: Personas, cycle: Cycle) -> None:
    assert cycle.ends_on == datetime.date(2026, 9, 30)
    assert set(cycle.auditors.all()) == {p.auditor, p.team_manager}
    event = Event.objects.get(verb="cycle.created")
    assert event.actor == p.moderator.user


def test_a_moderator_cannot_plan_a_cycle_for_a_service_they_do_not_oversee(p: Personas) -> None:
    with pytest.raises(Refused, match="every service"):
        cycle_create(
            name="South",
            services=[p.south],
            starts_on=APRIL,
            tools=[p.compliance_tool],
            audit_types=["dip_sample"],
            auditors=[],
            by=p.moderator,
        )


def test_a_senior_leader_cannot_plan_a_cycle(p: Personas) -> None:
    with pytest.raises(Refused):
        cycle_create(
            name="North",
            services=[p.north],
            starts_on=APRIL,
            tools=[p.compliance_tool],
            audit_types=["dip_sample"],
            auditors=[],
            by=p.senior_leader,
        )


def test_a_practitioner_cannot_be_in_the_pool_of_auditors(p: Personas) -> None:
    with pytest.raises(Refused, match="cannot be in the pool"):
        cycle_create(
            name="North",
            services=[p.north],
            starts_on=APRIL,
            tools=[p.compliance_tool],
            audit_types=["dip_sample"],
            auditors=[p.practitioner],
            by=p.moderator,
        )


def test_a_cycle_that_ends_before_it_starts_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="end after it starts"):
        cycle_create(
            name="North",
            services=[p.north],
            starts_on=APRIL,
            ends_on=datetime.date(2026, 3, 1),
            tools=[p.compliance_tool],
            audit_types=["dip_sample"],
            auditors=[],
            by=p.moderator,
        )


def test_quotas_are_added_and_removed_with_events(p: Personas, cycle: Cycle) -> None:
    quota = quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="dip_sample",
        per_month=2,
        role=Role.TEAM_MANAGER,
        by=p.moderator,
    )
    assert quota.who == "Each team manager"
    quota_remove(quota=quota, by=p.moderator)
    assert not cycle.quotas.exists()
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {"cycle.quota_added", "cycle.quota_removed"} <= verbs


def test_a_quota_for_a_type_the_cycle_does_not_plan_is_refused(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(Refused, match="types of audit this cycle plans"):
        quota_add(
            cycle=cycle,
            kind=QuotaKind.PER_TEAM,
            audit_type="thematic",
            per_month=10,
            by=p.moderator,
        )


def test_the_pool_of_auditors_can_be_changed(p: Personas, cycle: Cycle) -> None:
    cycle_auditors_set(cycle=cycle, auditors=[p.auditor], by=p.moderator)
    assert list(cycle.auditors.all()) == [p.auditor]
    with pytest.raises(Refused):
        cycle_auditors_set(cycle=cycle, auditors=[p.auditor], by=p.senior_leader)


def test_due_dates_fall_at_the_end_of_the_month_plus_the_extension(cycle: Cycle) -> None:
    assert due_date_for(cycle, datetime.date(2026, 4, 1)) == datetime.date(2026, 4, 30)
    cycle.due_extension_days = 7
    assert due_date_for(cycle, datetime.date(2026, 2, 1)) == datetime.date(2026, 3, 7)


def _draw(p: Personas, cycle: Cycle, *, size: int, seed: int = 5) -> object:
    return draw_save(
        spec=DrawSpec(seed=seed, size=size, stratify="team"),
        by=p.moderator,
        today=datetime.date(2026, 4, 20),
        plan=DrawPlan(
            cycle=cycle,
            audit_type="dip_sample",
            tool_version=p.compliance_tool,
            planned_month=datetime.date(2026, 5, 1),
            create_audits=True,
        ),
    )


def test_a_draw_in_a_cycle_creates_audits_shared_evenly_and_independently(
    p: Personas, cycle: Cycle
) -> None:
    cases_make(10, team=p.north_a, prefix="NA", worker=p.practitioner)
    cases_make(10, team=p.north_b, prefix="NB")
    saved = _draw(p, cycle, size=8)
    assert len(saved.audits) == 8  # type: ignore[attr-defined]
    audits = Audit.objects.filter(cycle_link__cycle=cycle)
    loads = {a: audits.filter(auditor=a).count() for a in (p.auditor, p.team_manager)}
    assert loads == {p.auditor: 4, p.team_manager: 4}
    # The team manager manages North A: none of North A's cases are theirs to audit.
    assert not audits.filter(auditor=p.team_manager, team=p.north_a).exists()
    assert set(audits.values_list("due_date", flat=True)) == {datetime.date(2026, 5, 31)}
    assert set(CycleAudit.objects.values_list("planned_month", flat=True)) == {
        datetime.date(2026, 5, 1)
    }
    assert Event.objects.filter(verb="sample.drawn").count() == 1
    assert Event.objects.filter(verb="audit.created").count() == 8


def test_cases_beyond_everyones_quota_are_kept_unassigned_with_the_reason(
    p: Personas, cycle: Cycle
) -> None:
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="dip_sample",
        per_month=2,
        by=p.moderator,
    )
    cases_make(12, team=p.north_b, prefix="NB")
    saved = _draw(p, cycle, size=6)
    assert len(saved.audits) == 4  # type: ignore[attr-defined]
    assert [reason for _, reason in saved.unassigned] == [NOBODY_FREE, NOBODY_FREE]  # type: ignore[attr-defined]
    rows = saved.draw.chosen.filter(auditor__isnull=True)  # type: ignore[attr-defined]
    assert {r.unassigned_reason for r in rows} == {NOBODY_FREE}


def test_audits_are_created_only_when_the_cycle_has_auditors(p: Personas, cycle: Cycle) -> None:
    cycle.auditors.clear()
    cases_make(3, team=p.north_b, prefix="NB")
    with pytest.raises(Refused, match="Add auditors"):
        _draw(p, cycle, size=2)
    assert not Audit.objects.exists()


def test_a_moderator_elsewhere_cannot_draw_for_the_cycle(p: Personas, cycle: Cycle) -> None:
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    with pytest.raises(Refused, match="Only an audit lead"):
        draw_save(
            spec=DrawSpec(seed=1, size=1),
            by=south_lead,
            plan=DrawPlan(
                cycle=cycle,
                audit_type="dip_sample",
                tool_version=p.compliance_tool,
                planned_month=APRIL,
            ),
        )


def test_a_month_outside_the_cycle_is_refused(p: Personas, cycle: Cycle) -> None:
    with pytest.raises(Refused, match="inside the cycle"):
        draw_save(
            spec=DrawSpec(seed=1, size=1),
            by=p.moderator,
            plan=DrawPlan(
                cycle=cycle,
                audit_type="dip_sample",
                tool_version=p.compliance_tool,
                planned_month=datetime.date(2027, 1, 1),
            ),
        )


def test_reminders_go_once_a_day_one_message_to_each_auditor(
    p: Personas, cycle: Cycle, django_capture_on_commit_callbacks: Any
) -> None:
    cycle.auditors.set([p.auditor])
    cases_make(4, team=p.north_b, prefix="NB")
    _draw(p, cycle, size=3)
    audits = list(Audit.objects.filter(cycle_link__cycle=cycle).order_by("pk"))
    audits[0].due_date = datetime.date(2026, 5, 10)
    audits[0].save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders_send(today=datetime.date(2026, 5, 28), within_days=7)
    assert (sent.due_soon, sent.overdue, sent.auditors) == (2, 1, 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [p.auditor.email]
    assert message.subject == "Audits overdue"
    assert "1 overdue and 2 due soon (the first on 31 May 2026)" in message.body
    assert "NB0" not in message.body  # never a child's ID in an email
    again = reminders_send(today=datetime.date(2026, 5, 28), within_days=7)
    assert (again.due_soon, again.overdue, again.auditors) == (0, 0, 0)
    assert ReminderSent.objects.count() == 3
    assert Notification.objects.filter(recipient=p.auditor.user).count() == 1
    tomorrow = reminders_send(today=datetime.date(2026, 5, 29), within_days=7)
    assert tomorrow.auditors == 1


def test_reminders_refuse_a_negative_number_of_days(db: None) -> None:
    with pytest.raises(Refused, match="cannot be negative"):
        reminders_send(today=datetime.date(2026, 5, 28), within_days=-1)


def test_submitted_audits_get_no_reminder(p: Personas, cycle: Cycle) -> None:
    cases_make(2, team=p.north_b, prefix="NB")
    _draw(p, cycle, size=1)
    Audit.objects.update(status=AuditStatus.SUBMITTED)
    sent = reminders_send(today=datetime.date(2026, 7, 1), within_days=7)
    assert (sent.due_soon, sent.overdue) == (0, 0)


def test_a_lead_may_draw_outside_a_cycle_only_from_their_own_services(p: Personas) -> None:
    cases_make(3, team=p.south_a, prefix="SA")
    with pytest.raises(Refused, match="Only an audit lead"):
        draw_save(spec=DrawSpec(seed=1, size=1, service_ids=(p.south.pk,)), by=p.moderator)
    with pytest.raises(Refused, match="Only an audit lead"):
        draw_save(spec=DrawSpec(seed=1, size=1), by=p.moderator)  # every service
    saved = draw_save(spec=DrawSpec(seed=1, size=1, service_ids=(p.north.pk,)), by=p.moderator)
    assert saved.draw.size == 1
