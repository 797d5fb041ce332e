"""A partner agency auditor takes part in the audit group's moderation meeting for their own
audits: the lead may record them as attending, and they read the meeting's record of their own
audits only, never the other audits discussed nor the learning noted about them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from auditloop.assurance.models import MeetingItem, MeetingKind, MeetingOutcome, ModerationMeeting
from auditloop.assurance.selectors.meetings import meeting_attendee_candidates
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.audits.services.partners import partner_audit_create
from auditloop.core.models import AccessLog
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

OTHER_NOTES = "Notes about the audit of another family"
LEARNING = "Learning about several other cases"
OWN_NOTES = "The police and the social care team agreed the grade"


def _audit(p: Personas) -> Audit:
    return Audit.objects.create(
        case=p.case,
        tool_version=p.quality_tool,
        audit_type=AuditType.THEMATIC,
        theme="Exploitation",
        status=AuditStatus.SUBMITTED,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
    )


def _meeting(p: Personas) -> tuple[ModerationMeeting, Audit, Audit]:
    other = _audit(p)
    mine = partner_audit_create(
        audit=other,
        partner=p.partner,
        case_summary="Shared summary",
        share_child_id=False,
        share_cohort=False,
        due_date=None,
        by=p.moderator,
    )
    meeting = ModerationMeeting.objects.create(
        kind=MeetingKind.AUDIT_GROUP,
        held_on=datetime.date(2026, 5, 1),
        recorded_by=p.moderator,
        learning=LEARNING,
    )
    meeting.attendees.set([p.moderator, p.auditor, p.partner])
    MeetingItem.objects.create(
        meeting=meeting, audit=other, outcome=MeetingOutcome.GRADE_CHANGED, notes=OTHER_NOTES
    )
    MeetingItem.objects.create(
        meeting=meeting, audit=mine, outcome=MeetingOutcome.GRADE_CONFIRMED, notes=OWN_NOTES
    )
    return meeting, mine, other


def test_the_lead_may_record_a_partner_with_an_audit_in_their_service_as_attending(
    p: Personas,
) -> None:
    assert p.partner not in meeting_attendee_candidates(p.moderator)
    _meeting(p)
    assert p.partner in meeting_attendee_candidates(p.moderator)


def test_a_partner_reads_only_their_own_audits_at_a_meeting_they_attended(p: Personas) -> None:
    meeting, mine, other = _meeting(p)
    client = p.client_for(p.partner)
    text = client.get(reverse("assurance:meeting_detail", args=[meeting.public_id])).content
    page = text.decode()
    assert OWN_NOTES in page
    assert reverse("audits:partner_audit", args=[mine.public_id]) in page
    assert OTHER_NOTES not in page and other.reference not in page
    assert LEARNING not in page
    assert p.case.la_child_id not in page
    logged = AccessLog.objects.filter(user=p.partner.user).values_list("target_id", flat=True)
    assert set(logged) == {str(mine.public_id)}
    listed = client.get(reverse("assurance:meeting_list")).content.decode()
    assert reverse("assurance:meeting_detail", args=[meeting.public_id]) in listed


def test_the_lead_still_reads_the_whole_meeting(p: Personas) -> None:
    meeting, _, _ = _meeting(p)
    page = p.client_for(p.moderator).get(
        reverse("assurance:meeting_detail", args=[meeting.public_id])
    )
    text = page.content.decode()
    assert OTHER_NOTES in text and OWN_NOTES in text and LEARNING in text


def test_a_partner_does_not_read_a_meeting_they_did_not_attend(p: Personas) -> None:
    meeting, _, _ = _meeting(p)
    meeting.attendees.remove(p.partner)
    url = reverse("assurance:meeting_detail", args=[meeting.public_id])
    assert p.client_for(p.partner).get(url).status_code == 404
