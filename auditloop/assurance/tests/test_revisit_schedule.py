"""Scheduling a revisit: by an audit lead with a reason, or after moderation agrees an
Inadequate grade; the same case on the same tool version, due the cycle's weeks from today, in
the earlier audit's cycle, with the earlier auditor while they can still do it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.assurance.services.revisits import (
    AFTER_AGREEMENT_REASON,
    revisit_schedule,
    revisit_schedule_after_agreement,
)
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.audits.tests.revisit_factories import (
    answered,
    earlier_audit,
    grade_of,
    marked_submitted,
    revisit_of,
)
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas, make_staff

REASON = "The plan has drifted since the review; check whether it is back on track."


def _in_cycle(p: Personas, audit: Audit, *, weeks: int = 8) -> Cycle:
    cycle = Cycle.objects.create(
        name="North, June to November 2026",
        starts_on=datetime.date(2026, 6, 1),
        ends_on=datetime.date(2026, 11, 30),
        revisit_weeks=weeks,
    )
    cycle.services.set([p.north])
    CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=datetime.date(2026, 6, 1))
    return cycle


def _today_plus(weeks: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(weeks=weeks)


def test_a_lead_schedules_a_revisit_of_the_same_case_and_tool_version_with_the_reason(
    p: Personas,
) -> None:
    earlier = earlier_audit(p, tool=p.quality_tool)
    revisit = revisit_schedule(audit=earlier, by=p.moderator, reason=f"  {REASON}  ")
    assert revisit.audit_type == AuditType.REVISIT
    assert revisit.status == AuditStatus.PLANNED
    assert (revisit.case, revisit.tool_version, revisit.revisit_of) == (
        earlier.case,
        earlier.tool_version,
        earlier,
    )
    assert revisit.revisit_reason == REASON


def test_without_a_cycle_the_revisit_is_due_six_weeks_from_today(p: Personas) -> None:
    revisit = revisit_schedule(audit=earlier_audit(p), by=p.moderator, reason=REASON)
    assert revisit.due_date == _today_plus(6)
    assert not CycleAudit.objects.filter(audit=revisit).exists()


def test_in_a_cycle_the_revisit_is_due_the_cycles_weeks_from_today_and_belongs_to_it(
    p: Personas,
) -> None:
    earlier = earlier_audit(p)
    cycle = _in_cycle(p, earlier, weeks=8)
    revisit = revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)
    assert revisit.due_date == _today_plus(8)
    link = CycleAudit.objects.get(audit=revisit)
    assert link.cycle == cycle
    assert link.planned_month == _today_plus(8).replace(day=1)


def test_the_lead_may_set_another_due_date_but_not_one_in_the_past(p: Personas) -> None:
    earlier = earlier_audit(p)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(Refused, match="today or in the future") as refused:
        revisit_schedule(audit=earlier, by=p.moderator, reason=REASON, due_date=yesterday)
    assert refused.value.field == "due_date"
    later = _today_plus(10)
    assert revisit_schedule(
        audit=earlier, by=p.moderator, reason=REASON, due_date=later
    ).due_date == (later)


def test_the_earlier_auditor_does_the_revisit_while_active_and_independent(p: Personas) -> None:
    revisit = revisit_schedule(audit=earlier_audit(p), by=p.moderator, reason=REASON)
    assert revisit.auditor == p.auditor


def test_an_earlier_auditor_who_has_left_is_refused_until_the_lead_chooses_another(
    p: Personas,
) -> None:
    earlier = earlier_audit(p)
    p.auditor.is_active = False
    p.auditor.save()
    earlier.refresh_from_db()
    with pytest.raises(Refused, match="no longer an active member of staff") as refused:
        revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)
    assert refused.value.field == "auditor"
    other = make_staff("auditor2", "Ari Auditor", Role.AUDITOR, p.north_b)
    assert revisit_schedule(
        audit=earlier, by=p.moderator, reason=REASON, auditor=other
    ).auditor == (other)


def test_an_earlier_auditor_who_now_holds_the_case_is_not_given_its_revisit(
    p: Personas,
) -> None:
    earlier = earlier_audit(p)
    p.case.allocated_worker = p.auditor
    p.case.save()
    earlier.refresh_from_db()
    with pytest.raises(Refused, match="now holds or manages this case"):
        revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)


def test_a_chosen_auditor_who_manages_the_case_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="holds or manages this case"):
        revisit_schedule(
            audit=earlier_audit(p), by=p.moderator, reason=REASON, auditor=p.team_manager
        )


def test_a_second_revisit_is_refused_while_the_first_is_unfinished(p: Personas) -> None:
    earlier = earlier_audit(p)
    first = revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)
    answered(first)
    with pytest.raises(Refused, match=r"already planned, due .* with Alex Auditor"):
        revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)
    marked_submitted(first)
    assert revisit_schedule(audit=earlier, by=p.moderator, reason=REASON).pk != first.pk


def test_a_draft_audit_cannot_be_revisited(p: Personas) -> None:
    draft = revisit_of(p, earlier_audit(p))
    with pytest.raises(Refused, match="still a draft"):
        revisit_schedule(audit=draft, by=p.moderator, reason=REASON)


def test_the_audit_of_a_closed_case_cannot_be_revisited(p: Personas) -> None:
    earlier = earlier_audit(p)
    p.case.is_open = False
    p.case.save()
    earlier.refresh_from_db()
    with pytest.raises(Refused, match="case is closed"):
        revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)


def test_a_reason_is_needed(p: Personas) -> None:
    with pytest.raises(Refused, match="Enter why") as refused:
        revisit_schedule(audit=earlier_audit(p), by=p.moderator, reason="   ")
    assert refused.value.field == "reason"


def test_only_an_audit_lead_over_the_audits_service_schedules_a_revisit(p: Personas) -> None:
    earlier = earlier_audit(p)
    south_lead = make_staff("southlead", "Sol South", Role.MODERATOR, services=[p.south])
    for someone in (p.senior_leader, p.auditor, south_lead):
        with pytest.raises(Refused, match="Only an audit lead for this audit's service"):
            revisit_schedule(audit=earlier, by=someone, reason=REASON)
    assert not Audit.objects.filter(revisit_of=earlier).exists()


def test_scheduling_records_the_reason_changed_without_quoting_it(p: Personas) -> None:
    earlier = earlier_audit(p)
    revisit = revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)
    event = Event.objects.get(verb="audit.revisit_scheduled")
    assert event.target_id == str(revisit.public_id)
    assert event.actor == p.moderator.user
    assert event.content_changed == ["revisit_reason"]
    assert event.after["revisit_of"] == str(earlier.public_id)
    assert REASON not in str(event.after) + event.summary


def test_the_auditor_is_told_in_the_product_and_by_email_without_the_childs_id(
    p: Personas, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        revisit = revisit_schedule(audit=earlier_audit(p), by=p.moderator, reason=REASON)
    note = Notification.objects.get(recipient=p.auditor.user)
    assert note.url == f"/audits/{revisit.public_id}/"
    assert "A revisit for you to do" in note.message
    assert "in North A" in note.message
    (email,) = mail.outbox
    assert email.to == [p.auditor.email]
    assert email.subject == "A revisit for you to do"
    for text in (note.message, email.subject, email.body):
        assert p.case.la_child_id not in text


def _agreed(p: Personas, audit: Audit, code: str) -> Audit:
    Audit.objects.filter(pk=audit.pk).update(
        agreed_overall_grade=grade_of(audit.tool_version, code)
    )
    audit.refresh_from_db()
    return audit


def test_an_agreed_inadequate_grade_schedules_a_revisit_with_the_earlier_auditor(
    p: Personas,
) -> None:
    earlier = _agreed(p, earlier_audit(p, overall="requires_improvement"), "inadequate")
    _in_cycle(p, earlier, weeks=7)
    revisit = revisit_schedule_after_agreement(audit=earlier, by=p.moderator)
    assert revisit is not None
    assert (revisit.revisit_of, revisit.auditor) == (earlier, p.auditor)
    assert revisit.due_date == _today_plus(7)
    assert revisit.revisit_reason == AFTER_AGREEMENT_REASON


def test_an_agreed_grade_above_inadequate_schedules_nothing(p: Personas) -> None:
    # The auditor's grade was Inadequate; the grade agreed at moderation is what counts.
    earlier = _agreed(p, earlier_audit(p, overall="inadequate"), "requires_improvement")
    assert revisit_schedule_after_agreement(audit=earlier, by=p.moderator) is None
    assert revisit_schedule_after_agreement(audit=earlier_audit(p), by=p.moderator) is None
    assert not Audit.objects.filter(audit_type=AuditType.REVISIT).exists()


def test_an_agreement_schedules_nothing_more_while_a_revisit_is_planned(p: Personas) -> None:
    earlier = earlier_audit(p)
    revisit_schedule(audit=earlier, by=p.moderator, reason=REASON)
    earlier = _agreed(p, earlier, "inadequate")
    assert revisit_schedule_after_agreement(audit=earlier, by=p.senior_leader) is None
    assert Audit.objects.filter(revisit_of=earlier).count() == 1


def test_when_the_earlier_auditor_cannot_revisit_the_leads_are_asked_to_choose(
    p: Personas,
) -> None:
    earlier = _agreed(p, earlier_audit(p), "inadequate")
    p.auditor.is_active = False
    p.auditor.save()
    earlier.refresh_from_db()
    assert revisit_schedule_after_agreement(audit=earlier, by=p.moderator) is None
    note = Notification.objects.get(recipient=p.moderator.user)
    assert note.url == f"/revisits/schedule/{earlier.public_id}/"
    assert "Alex Auditor, who did the earlier audit, is no longer an active" in note.message
    assert p.case.la_child_id not in note.message
