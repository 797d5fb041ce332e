"""The demo council's calibration exercises and moderation meetings give every new page
something to show, with realistic disagreement."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import (
    CalibrationExercise,
    MeetingItem,
    MeetingKind,
    MeetingOutcome,
    ModerationMeeting,
    ModerationStatus,
)
from auditloop.assurance.selectors.calibration import calibration_comparison
from auditloop.audits.models import SHARED_STATUSES, AuditStatus, AuditType
from auditloop.demo.tests.small_council import TODAY

pytestmark = pytest.mark.django_db


def staff(username: str) -> StaffMember:
    return StaffMember.objects.get(user__username=username)


def client(username: str) -> Client:
    c = Client()
    c.force_login(staff(username).user)  # type: ignore[arg-type]
    return c


def _exercises() -> tuple[CalibrationExercise, CalibrationExercise]:
    compared = waiting = None
    for exercise in CalibrationExercise.objects.all():
        statuses = [e.audit.status for e in exercise.entries.select_related("audit")]
        if all(s in SHARED_STATUSES for s in statuses):
            compared = exercise
        else:
            waiting = exercise
    assert compared is not None and waiting is not None
    return compared, waiting


def test_one_exercise_is_compared_with_realistic_disagreement(small: None) -> None:
    compared, _ = _exercises()
    audits = [e.audit for e in compared.entries.select_related("audit__auditor").order_by("id")]
    assert len(audits) == 4
    assert {a.audit_type for a in audits} == {AuditType.CALIBRATION}
    comparison = calibration_comparison(compared, audits)
    spreads = Counter(row.spread for row in comparison.questions)
    # Mostly the same or one grade apart; one domain two grades apart, none further.
    assert spreads[2] == 1
    assert set(spreads) <= {0, 1, 2}
    assert spreads[0] + spreads[1] == len(comparison.questions) - 1
    assert comparison.overall is not None and comparison.overall.spread in {0, 1}


def test_one_exercise_is_in_progress_with_the_demo_lead_blind_among_its_auditors(
    small: None,
) -> None:
    _, waiting = _exercises()
    statuses = Counter(e.audit.status for e in waiting.entries.select_related("audit"))
    assert statuses[AuditStatus.SUBMITTED] >= 1
    assert statuses[AuditStatus.SUBMITTED] < sum(statuses.values())
    lead = staff("moderator")
    assert waiting.entries.filter(audit__auditor=lead).exists()
    page = client("moderator").get(
        reverse("assurance:calibration_detail", args=[waiting.public_id])
    )
    assert page.status_code == 200
    assert "The answers compared" not in page.content.decode()


def test_the_demo_auditor_reads_the_compared_exercise(small: None) -> None:
    compared, _ = _exercises()
    assert compared.entries.filter(audit__auditor=staff("auditor")).exists()
    url = reverse("assurance:calibration_detail", args=[compared.public_id])
    text = client("auditor").get(url).content.decode()
    assert "The answers compared" in text
    assert "Differ by 2 grades" in text


def test_audit_group_meetings_over_the_past_cycles_and_a_managers_meeting_per_service(
    small: None,
) -> None:
    group = ModerationMeeting.objects.filter(kind=MeetingKind.AUDIT_GROUP)
    assert 3 <= group.count() <= 4
    assert group.order_by("held_on").first().held_on < TODAY - datetime.timedelta(days=120)  # type: ignore[union-attr]
    managers = ModerationMeeting.objects.filter(kind=MeetingKind.MANAGERS)
    practice = {s.pk for s in StaffMember.objects.get(user__username="moderator").services.all()}
    assert set(managers.values_list("service_id", flat=True)) == practice
    for meeting in ModerationMeeting.objects.all():
        assert meeting.held_on <= TODAY
        assert meeting.learning
        assert meeting.attendees.exists()
        items = list(meeting.items.select_related("audit"))
        assert items and all(i.notes for i in items)
        assert all(i.audit.status in SHARED_STATUSES for i in items)
        assert all(i.audit.audit_type != AuditType.CALIBRATION for i in items)
        assert all(i.audit.submitted_at.date() < meeting.held_on for i in items)  # type: ignore[union-attr]
    outcomes = {i.outcome for m in ModerationMeeting.objects.all() for i in m.items.all()}
    assert len(outcomes) >= 3


def test_a_meeting_records_a_changed_grade_only_where_moderation_changed_it(
    small: None,
) -> None:
    items = MeetingItem.objects.select_related(
        "audit__overall_grade", "audit__agreed_overall_grade", "audit__moderation"
    )
    changed = 0
    for item in items:
        audit = item.audit
        moderation = getattr(audit, "moderation", None)
        settled = moderation is not None and moderation.status in {
            ModerationStatus.AGREED,
            ModerationStatus.DECIDED,
        }
        differs = settled and audit.agreed_overall_grade_id not in {None, audit.overall_grade_id}
        if item.outcome == MeetingOutcome.GRADE_CHANGED:
            changed += 1
            assert differs, audit.reference
            assert audit.agreed_overall_grade is not None and audit.overall_grade is not None
            higher = audit.agreed_overall_grade.value > audit.overall_grade.value
            assert ("higher" if higher else "lower") in item.notes
        elif item.outcome == MeetingOutcome.GRADE_CONFIRMED:
            assert moderation is None or (settled and not differs), audit.reference
        elif differs:
            raise AssertionError(f"{audit.reference}: a changed grade recorded as {item.outcome}")
    assert changed >= 1


@pytest.mark.parametrize("username", ["manager", "auditor", "moderator", "leader"])
def test_each_auditing_demo_login_finds_meetings_and_calibration_pages_that_open(
    small: None, username: str
) -> None:
    c = client(username)
    meetings = c.get(reverse("assurance:meeting_list"))
    assert meetings.status_code == 200
    assert 'href="/moderation/meetings/' in meetings.content.decode()
    assert c.get(reverse("assurance:calibration_list")).status_code == 200
    for meeting in ModerationMeeting.objects.all():
        status = c.get(reverse("assurance:meeting_detail", args=[meeting.public_id])).status_code
        assert status in {200, 404}
