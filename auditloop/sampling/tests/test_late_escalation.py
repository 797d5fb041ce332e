"""Late cycle audits escalate step by step: to the auditor's manager, then to the audit lead."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, CycleAudit, LateEscalation, LateStep
from auditloop.sampling.selectors.cycles import cycle_overview
from auditloop.sampling.services.cycles import cycle_update
from auditloop.sampling.services.reminders import LateEscalated, late_audits_escalate
from auditloop.testing import Personas, make_staff

DUE = datetime.date(2026, 5, 29)


def days_after_due(n: int) -> datetime.date:
    return DUE + datetime.timedelta(days=n)


@pytest.fixture
def boss(p: Personas) -> StaffMember:
    """The auditor's line manager."""
    boss = make_staff("bmanager", "Bea Boss", Role.TEAM_MANAGER, p.north_b)
    p.auditor.manager = boss
    p.auditor.save()
    return boss


def late_audit(p: Personas, cycle: Cycle, *, status: str = AuditStatus.IN_PROGRESS) -> Audit:
    audit = Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=status,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        due_date=DUE,
    )
    CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=datetime.date(2026, 5, 1))
    return audit


@pytest.fixture
def escalate(django_capture_on_commit_callbacks: Any) -> Callable[[datetime.date], LateEscalated]:
    """Run the escalation for a day, sending its emails as its transaction's commit would."""

    def run(today: datetime.date) -> LateEscalated:
        with django_capture_on_commit_callbacks(execute=True):
            return late_audits_escalate(today=today)

    return run


def told(staff: StaffMember) -> list[str]:
    return [str(m.subject) for m in mail.outbox if m.to == [staff.email]]


def test_an_audit_late_fewer_days_than_the_cycle_sets_is_not_escalated(
    p: Personas, cycle: Cycle, boss: StaffMember, escalate: Any
) -> None:
    late_audit(p, cycle)

    sent = escalate(days_after_due(4))

    assert (sent.to_managers, sent.to_leads, sent.people) == (0, 0, 0)
    assert not LateEscalation.objects.exists()


def test_a_late_audit_reaches_the_manager_then_the_audit_lead_step_by_step(
    p: Personas, cycle: Cycle, boss: StaffMember, escalate: Any
) -> None:
    audit = late_audit(p, cycle)

    at_five = escalate(days_after_due(5))
    assert (at_five.to_managers, at_five.to_leads, at_five.people) == (1, 0, 1)
    assert told(boss) == ["Late audits escalated to you"]
    assert told(p.moderator) == []

    at_ten = escalate(days_after_due(10))
    assert (at_ten.to_managers, at_ten.to_leads, at_ten.people) == (0, 1, 2)
    assert told(p.moderator) == ["Late audits escalated to you"]
    assert len(told(boss)) == 2
    steps = LateEscalation.objects.filter(audit=audit).values_list("step", "recipient__name")
    assert sorted(steps) == [("lead", "Morgan Moderator"), ("manager", "Bea Boss")]
    assert (
        Event.objects.filter(verb="audit.late_escalated", target_id=str(audit.public_id)).count()
        == 2
    )


def test_each_person_is_told_at_most_once_a_day_in_one_message(
    p: Personas, cycle: Cycle, boss: StaffMember, escalate: Any
) -> None:
    late_audit(p, cycle)
    late_audit(p, cycle)

    first = escalate(days_after_due(6))
    again = escalate(days_after_due(6))
    next_day = escalate(days_after_due(7))

    assert (first.people, again.people, next_day.people) == (1, 0, 1)
    assert len(told(boss)) == 2
    message = Notification.objects.filter(recipient=boss.user).first()
    assert message is not None
    assert message.message == (
        "2 cycle audits are late and escalated to you. Alex Auditor: 2 (up to 7 days late)."
    )


def test_the_message_names_no_child(
    p: Personas, cycle: Cycle, boss: StaffMember, escalate: Any
) -> None:
    late_audit(p, cycle)
    escalate(days_after_due(12))

    for email in mail.outbox:
        assert p.case.la_child_id not in f"{email.subject} {email.body}"


def test_an_auditor_with_no_manager_recorded_escalates_to_the_audit_lead(
    p: Personas, cycle: Cycle, escalate: Any
) -> None:
    late_audit(p, cycle)

    escalate(days_after_due(5))

    assert told(p.moderator) == ["Late audits escalated to you"]
    assert LateEscalation.objects.get().step == LateStep.MANAGER


def test_a_submitted_audit_is_not_late(
    p: Personas, cycle: Cycle, boss: StaffMember, escalate: Any
) -> None:
    late_audit(p, cycle, status=AuditStatus.SUBMITTED)

    assert escalate(days_after_due(20)).people == 0


def test_the_overview_shows_who_is_late_for_how_long_and_who_was_told(
    p: Personas, cycle: Cycle, boss: StaffMember, escalate: Any
) -> None:
    audit = late_audit(p, cycle)
    escalate(days_after_due(5))

    [line] = cycle_overview(cycle, today=days_after_due(8)).late

    assert (line.reference, line.auditor, line.days_late) == (audit.reference, "Alex Auditor", 8)
    assert line.escalated_to == ["Bea Boss, the auditor's manager, on 3 June 2026"]
    page = p.client_for(p.moderator).get(reverse("sampling:cycle_overview", args=[cycle.public_id]))
    assert audit.reference in page.content.decode()


def test_the_managers_home_page_lists_the_late_audits_escalated_to_them(
    p: Personas, cycle: Cycle, boss: StaffMember, escalate: Any
) -> None:
    audit = late_audit(p, cycle)
    escalate(days_after_due(5))

    page = p.client_for(boss).get(reverse("home")).content.decode()

    assert "Late audits escalated to you" in page
    assert audit.reference in page
    assert p.case.la_child_id not in page
    assert "Late audits escalated to you" not in (
        p.client_for(p.team_manager).get(reverse("home")).content.decode()
    )


def test_the_lead_sets_the_days_and_the_lead_must_come_after_the_manager(
    p: Personas, cycle: Cycle
) -> None:
    common = {
        "cycle": cycle,
        "name": cycle.name,
        "starts_on": cycle.starts_on,
        "tools": list(cycle.tools.all()),
        "audit_types": cycle.audit_types,
        "by": p.moderator,
    }
    with pytest.raises(Refused, match="more days for the audit lead"):
        cycle_update(**common, late_to_manager_days=7, late_to_lead_days=7)

    cycle_update(**common, late_to_manager_days=3, late_to_lead_days=8)

    cycle.refresh_from_db()
    assert (cycle.late_to_manager_days, cycle.late_to_lead_days) == (3, 8)
