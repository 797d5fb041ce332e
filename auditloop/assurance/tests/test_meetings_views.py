"""The moderation meeting pages: recording one (audits named by reference, the child's ID shown
to the recorder before saving), the list, and a meeting's page, which shows each audit's link
and child's ID only to those who may read that audit."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.assurance.models import MeetingKind, ModerationMeeting
from auditloop.assurance.tests.meeting_factories import (
    audit_group_meeting,
    submitted_audit,
    with_agreed_grade,
)
from auditloop.audits.models import Audit
from auditloop.core.models import AccessLog
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

CREATE = reverse("assurance:meeting_create")
LIST = reverse("assurance:meeting_list")


def detail(meeting: ModerationMeeting) -> str:
    return reverse("assurance:meeting_detail", args=[meeting.public_id])


def _posted(p: Personas, audit: Audit, **changes: object) -> dict[str, object]:
    held = timezone.localdate() - datetime.timedelta(days=2)
    data: dict[str, object] = {
        "rows": "2",
        "kind": MeetingKind.AUDIT_GROUP,
        "held_on-day": str(held.day),
        "held_on-month": str(held.month),
        "held_on-year": str(held.year),
        "attendees": [str(p.moderator.public_id), str(p.auditor.public_id)],
        "learning": "Read the chronology first.",
        "item1-reference": audit.reference.lower(),
        "item1-outcome": "changed",
        "item1-notes": "Agreed Requires improvement.",
        "item2-reference": "",
        "item2-outcome": "",
        "item2-notes": "",
        "action": "save",
    }
    data.update(changes)
    return data


def test_an_audit_lead_records_a_meeting_naming_the_audit_by_its_reference(p: Personas) -> None:
    audit = with_agreed_grade(submitted_audit(p), agreed="requires_improvement")
    response = p.client_for(p.moderator).post(CREATE, _posted(p, audit))
    meeting = ModerationMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(meeting)
    item = meeting.items.get()
    assert (item.audit, item.outcome, item.notes) == (
        audit,
        "changed",
        "Agreed Requires improvement.",
    )
    assert meeting.learning == "Read the chronology first."


@pytest.mark.parametrize("agreed", [None, "good"], ids=["not moderated", "agreed the same"])
def test_grade_changed_is_refused_on_its_row_for_a_grade_moderation_did_not_change(
    p: Personas, agreed: str | None
) -> None:
    audit = with_agreed_grade(submitted_audit(p), given="good", agreed=agreed)
    response = p.client_for(p.moderator).post(CREATE, _posted(p, audit))
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert (
        f"The grade of the audit {audit.reference} has not been changed at moderation. "
        "Record the changed grade through the audit\u2019s moderation first" in text
    )
    assert 'href="#id_item1-outcome"' in text
    assert not ModerationMeeting.objects.exists()
    # Grade confirmed is what the meeting may record for it.
    response = p.client_for(p.moderator).post(
        CREATE, _posted(p, audit, **{"item1-outcome": "confirmed"})
    )
    assert response.status_code == 302


def test_checking_shows_the_recorder_the_childs_id_without_saving(p: Personas) -> None:
    audit = submitted_audit(p)
    AccessLog.objects.all().delete()
    response = p.client_for(p.moderator).post(CREATE, _posted(p, audit, action="check"))
    text = response.content.decode()
    assert f"Found: case {p.case.la_child_id}" in text
    assert not ModerationMeeting.objects.exists()
    assert AccessLog.objects.filter(
        target_id=str(audit.public_id), purpose="moderation meeting"
    ).exists()


def test_an_unknown_reference_is_named_on_its_row(p: Personas) -> None:
    audit = submitted_audit(p)
    response = p.client_for(p.moderator).post(
        CREATE, _posted(p, audit, **{"item2-reference": "ABCDEF12", "item2-outcome": "confirmed"})
    )
    text = response.content.decode()
    assert "No audit with the reference ABCDEF12 that you may read" in text
    assert 'href="#id_item2-reference"' in text
    assert not ModerationMeeting.objects.exists()


def test_a_row_with_an_outcome_but_no_reference_asks_for_the_reference(p: Personas) -> None:
    audit = submitted_audit(p)
    response = p.client_for(p.moderator).post(
        CREATE, _posted(p, audit, **{"item2-outcome": "confirmed"})
    )
    assert "Enter the reference of audit 2" in response.content.decode()


def test_adding_a_row_keeps_what_was_typed_and_shows_no_errors(p: Personas) -> None:
    audit = submitted_audit(p)
    data = _posted(p, audit, action="add", attendees=[])
    text = p.client_for(p.moderator).post(CREATE, data).content.decode()
    assert 'name="item3-reference"' in text
    assert 'name="rows" value="3"' in text
    assert "govuk-error-summary" not in text
    assert audit.reference.lower() in text
    assert not ModerationMeeting.objects.exists()


def test_a_date_in_the_future_is_refused_on_its_field(p: Personas) -> None:
    audit = submitted_audit(p)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = _posted(
        p,
        audit,
        **{
            "held_on-day": str(tomorrow.day),
            "held_on-month": str(tomorrow.month),
            "held_on-year": str(tomorrow.year),
        },
    )
    text = p.client_for(p.moderator).post(CREATE, data).content.decode()
    assert "The date the meeting was held must be today or in the past" in text


def test_a_team_manager_is_offered_managers_moderation_only(p: Personas) -> None:
    text = p.client_for(p.team_manager).get(CREATE).content.decode()
    assert 'value="managers"' in text
    assert 'value="audit_group"' not in text


def test_the_audit_group_and_practitioners_are_refused_the_record_page(p: Personas) -> None:
    assert p.client_for(p.auditor).get(CREATE).status_code == 403
    assert p.client_for(p.practitioner).get(CREATE).status_code == 403


def test_those_who_attended_and_leads_over_the_service_read_the_meeting(p: Personas) -> None:
    meeting = audit_group_meeting(p)
    for who in (p.moderator, p.auditor, p.senior_leader):
        assert p.client_for(who).get(detail(meeting)).status_code == 200, who
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    for who in (p.team_manager, p.practitioner, p.outsider_manager, south_lead, p.board_member):
        assert p.client_for(who).get(detail(meeting)).status_code == 404, who


def test_an_items_link_and_childs_id_are_shown_only_to_who_may_read_the_audit(
    p: Personas,
) -> None:
    audit = submitted_audit(p)
    meeting = audit_group_meeting(p, [audit])
    audit_url = reverse("audits:detail", args=[audit.public_id])
    lead = p.client_for(p.moderator).get(detail(meeting)).content.decode()
    assert audit_url in lead and f"Case {p.case.la_child_id}" in lead
    # The auditor attended, but this audit is someone else's of a case they cannot read.
    attendee = p.client_for(p.auditor).get(detail(meeting)).content.decode()
    assert audit.reference in attendee
    assert "Evidence holds." in attendee
    assert audit_url not in attendee
    assert p.case.la_child_id not in attendee


def test_reading_a_meeting_logs_only_the_audits_shown(p: Personas) -> None:
    audit = submitted_audit(p)
    meeting = audit_group_meeting(p, [audit])
    AccessLog.objects.all().delete()
    p.client_for(p.auditor).get(detail(meeting))
    assert not AccessLog.objects.exists()
    p.client_for(p.moderator).get(detail(meeting))
    assert list(AccessLog.objects.values_list("target_id", "purpose")) == [
        (str(audit.public_id), "moderation meeting")
    ]


def test_the_list_shows_a_meeting_to_its_attendees_and_leads_only(p: Personas) -> None:
    meeting = audit_group_meeting(p)
    for who in (p.moderator, p.auditor, p.senior_leader):
        assert detail(meeting) in p.client_for(who).get(LIST).content.decode(), who
    assert detail(meeting) not in p.client_for(p.team_manager).get(LIST).content.decode()
    assert p.client_for(p.practitioner).get(LIST).status_code == 403
