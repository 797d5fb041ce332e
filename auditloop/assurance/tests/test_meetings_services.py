"""Recording a moderation meeting: who may record which kind, and which audits it may name."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.assurance.models import (
    MeetingKind,
    MeetingOutcome,
    ModerationMeeting,
)
from auditloop.assurance.selectors.meetings import audits_by_reference
from auditloop.assurance.services.meetings import ItemInput, meeting_record
from auditloop.assurance.tests.calibration_factories import (
    answer_and_submit,
    entry_of,
    set_exercise,
)
from auditloop.assurance.tests.meeting_factories import (
    audit_group_meeting,
    submitted_audit,
    with_agreed_grade,
)
from auditloop.audits.models import Audit, AuditStatus
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

LAST_WEEK = timezone.localdate() - datetime.timedelta(days=7)


def _managers(p: Personas, by: object, audits: list[Audit], **changes: object) -> object:
    args: dict[str, object] = {
        "by": by,
        "kind": MeetingKind.MANAGERS,
        "service": p.north,
        "held_on": LAST_WEEK,
        "attendees": [p.team_manager],
        "items": [ItemInput(audit=a, outcome=MeetingOutcome.GRADE_CONFIRMED) for a in audits],
        "learning": "",
    }
    args.update(changes)
    return meeting_record(**args)  # type: ignore[arg-type]


def test_an_audit_lead_records_an_audit_group_meeting_with_its_outcomes(p: Personas) -> None:
    first, second = submitted_audit(p), submitted_audit(p)
    meeting = audit_group_meeting(p, [first, second])
    assert meeting.kind == MeetingKind.AUDIT_GROUP and meeting.service is None
    assert set(meeting.attendees.all()) == {p.moderator, p.auditor}
    assert [(i.audit, i.outcome) for i in meeting.items.order_by("id")] == [
        (first, MeetingOutcome.GRADE_CONFIRMED),
        (second, MeetingOutcome.GRADE_CONFIRMED),
    ]
    event = Event.objects.get(verb="moderation_meeting.recorded")
    assert event.target_id == str(meeting.public_id)
    assert event.content_changed == ["learning", "notes"]
    assert "chronology" not in str(event.after) + event.summary
    assert event.after["audits"] == [str(first.public_id), str(second.public_id)]


def test_grade_changed_is_recorded_for_a_grade_agreed_other_than_the_auditors(
    p: Personas,
) -> None:
    audit = with_agreed_grade(submitted_audit(p), given="good", agreed="requires_improvement")
    changed = [ItemInput(audit=audit, outcome=MeetingOutcome.GRADE_CHANGED)]
    meeting = _managers(p, p.team_manager, [], items=changed)
    assert isinstance(meeting, ModerationMeeting)
    assert meeting.items.get().outcome == MeetingOutcome.GRADE_CHANGED


@pytest.mark.parametrize("agreed", [None, "good"], ids=["not moderated", "agreed the same"])
def test_grade_changed_is_refused_where_moderation_did_not_change_the_grade(
    p: Personas, agreed: str | None
) -> None:
    audit = with_agreed_grade(submitted_audit(p), given="good", agreed=agreed)
    changed = [ItemInput(audit=audit, outcome=MeetingOutcome.GRADE_CHANGED)]
    with pytest.raises(
        Refused, match="Record the changed grade through the audit\u2019s moderation"
    ):
        _managers(p, p.team_manager, [], items=changed)
    assert not ModerationMeeting.objects.exists()


def test_a_team_manager_records_managers_moderation_in_their_own_service(p: Personas) -> None:
    meeting = _managers(p, p.team_manager, [submitted_audit(p)])
    assert isinstance(meeting, ModerationMeeting)
    assert meeting.service == p.north


def test_a_senior_leader_records_managers_moderation_in_their_service(p: Personas) -> None:
    assert isinstance(_managers(p, p.senior_leader, [submitted_audit(p)]), ModerationMeeting)


def test_a_team_manager_may_not_record_in_another_service(p: Personas) -> None:
    with pytest.raises(Refused, match="only in your own service, not South"):
        _managers(p, p.team_manager, [submitted_audit(p)], service=p.south)


def test_only_an_audit_lead_records_the_audit_groups_meeting(p: Personas) -> None:
    for who in (p.team_manager, p.senior_leader, p.auditor):
        with pytest.raises(Refused, match="Only an audit lead"):
            meeting_record(
                by=who,
                kind=MeetingKind.AUDIT_GROUP,
                service=None,
                held_on=LAST_WEEK,
                attendees=[who],
                items=[ItemInput(audit=submitted_audit(p), outcome=MeetingOutcome.MORE_WORK)],
            )


def test_an_auditor_may_not_record_managers_moderation(p: Personas) -> None:
    with pytest.raises(Refused, match="only in your own service"):
        _managers(p, p.auditor, [submitted_audit(p)])


def test_a_meeting_cannot_be_recorded_as_held_in_the_future(p: Personas) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(Refused, match="today or in the past") as refused:
        _managers(p, p.team_manager, [submitted_audit(p)], held_on=tomorrow)
    assert refused.value.field == "held_on"


def test_a_meeting_needs_someone_attending(p: Personas) -> None:
    with pytest.raises(Refused, match="Choose who attended"):
        _managers(p, p.team_manager, [submitted_audit(p)], attendees=[])


def test_a_meeting_needs_an_audit_discussed(p: Personas) -> None:
    with pytest.raises(Refused, match="at least one audit"):
        _managers(p, p.team_manager, [])
    assert not ModerationMeeting.objects.exists()


def test_an_audit_the_recorder_may_not_read_is_refused(p: Personas) -> None:
    south = Audit.objects.create(
        case=p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type="dip_sample",
        status=AuditStatus.SUBMITTED,
        auditor=p.outsider_manager,
        team=p.south_a,
    )
    with pytest.raises(Refused, match=f"No audit with the reference {south.reference}"):
        audit_group_meeting(p, [south])
    assert not ModerationMeeting.objects.exists()


def test_a_draft_audit_is_not_moderated(p: Personas) -> None:
    with pytest.raises(Refused, match="not submitted yet"):
        audit_group_meeting(p, [make_audit(p, status=AuditStatus.IN_PROGRESS)])


def test_a_calibration_audit_is_not_moderated(p: Personas) -> None:
    exercise = set_exercise(p)
    audit = answer_and_submit(entry_of(exercise, p.auditor))
    with pytest.raises(Refused, match="calibration audit"):
        audit_group_meeting(p, [audit])


def test_an_audit_listed_twice_is_refused(p: Personas) -> None:
    audit = submitted_audit(p)
    with pytest.raises(Refused, match="listed twice"):
        audit_group_meeting(p, [audit, audit])


def test_managers_moderation_discusses_its_own_services_audits(p: Personas) -> None:
    lead = make_staff("lead2", "Lou Lead", Role.MODERATOR, services=[p.north, p.south])
    other_case = ChildCase.objects.create(
        la_child_id="S-1", cohort=Cohort.CIN, allocated_team=p.south_a
    )
    south = Audit.objects.create(
        case=other_case,
        tool_version=p.compliance_tool,
        audit_type="dip_sample",
        status=AuditStatus.SUBMITTED,
        auditor=p.auditor,
        team=p.south_a,
    )
    with pytest.raises(Refused, match="outside North"):
        _managers(p, lead, [south])


def test_someone_who_has_left_cannot_be_recorded_as_attending(p: Personas) -> None:
    gone = make_staff("gone", "Gill Gone", Role.AUDITOR, p.north_b)
    gone.is_active = False
    gone.save()
    with pytest.raises(Refused, match="no longer an active member of staff"):
        _managers(p, p.team_manager, [submitted_audit(p)], attendees=[gone])


def test_an_audit_is_found_by_its_reference_or_more_of_its_id_in_any_case(p: Personas) -> None:
    audit = submitted_audit(p)
    whole = str(audit.public_id)
    for typed in (audit.reference, audit.reference.lower(), whole, whole.upper(), whole[:13]):
        assert audits_by_reference(p.moderator, f" {typed} ") == [audit], typed
    assert audits_by_reference(p.moderator, audit.reference[:7]) == []
    assert audits_by_reference(p.moderator, "not-a-reference") == []
    assert audits_by_reference(p.outsider, audit.reference) == []
