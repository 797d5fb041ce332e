"""Which audits the impact page compares: the attendees' and the comparison group's, in the
windows before and after the event, at the grade that counts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from auditloop.audits.models import AuditStatus, AuditType
from auditloop.learning.models import TrainingAttendance, TrainingEvent
from auditloop.learning.rules.training_impact import PersonGrades
from auditloop.learning.selectors.training import IMPACT_WINDOW_DAYS, impact_data
from auditloop.learning.tests.training_factories import (
    graded_audit,
    quality_questions,
    same_question_in_a_new_version,
)
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _when(today: datetime.date, days: int) -> datetime.datetime:
    day = today + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(12), datetime.UTC)


def test_only_counted_audits_in_the_windows_are_compared_at_the_agreed_grade(
    p: Personas,
) -> None:
    today = timezone.localdate()
    question = quality_questions(p)[0]
    event = TrainingEvent.objects.create(
        title="Voice", held_on=today - datetime.timedelta(days=30), question=question
    )
    TrainingAttendance.objects.create(event=event, staff=p.practitioner)

    def audit(days: int, value: int, **kwargs: object) -> None:
        graded_audit(
            p,
            question=question,
            value=value,
            submitted_at=_when(today, days),
            **kwargs,  # type: ignore[arg-type]
        )

    audit(-60, 2)  # before
    audit(-40, 1, agreed=3)  # before, moderated up to Good
    audit(-30, 4)  # the day of the event: neither
    audit(-10, 3)  # after
    audit(-30 - IMPACT_WINDOW_DAYS - 5, 1)  # too long before
    audit(-10, 1, audit_type=AuditType.CALIBRATION)  # never counts
    audit(-10, 1, status=AuditStatus.IN_PROGRESS)  # a draft
    # The comparison group: North B's auditor held a case of the same service.
    graded_audit(
        p,
        team=p.north_b,
        practitioner=p.auditor,
        question=question,
        value=2,
        submitted_at=_when(today, -50),
    )
    graded_audit(
        p,
        team=p.north_b,
        practitioner=p.auditor,
        question=question,
        value=2,
        submitted_at=_when(today, -5),
    )
    # South is another service: not compared.
    graded_audit(
        p,
        team=p.south_a,
        practitioner=p.outsider,
        question=question,
        value=1,
        submitted_at=_when(today, -50),
    )
    graded_audit(
        p,
        team=p.south_a,
        practitioner=p.outsider,
        question=question,
        value=1,
        submitted_at=_when(today, -5),
    )
    data = impact_data(event, today=today)
    # Places on the four-point scale: Inadequate 0 ... Outstanding 3.
    assert data.attendees == [PersonGrades(before=(1, 2), after=(2,))]
    assert data.others == [PersonGrades(before=(1,), after=(1,))]
    assert data.labels == ["Inadequate", "Requires improvement", "Good", "Outstanding"]


def test_someone_audited_in_one_period_only_is_left_out(p: Personas) -> None:
    today = timezone.localdate()
    event = TrainingEvent.objects.create(
        title="Standards", held_on=today - datetime.timedelta(days=30)
    )
    TrainingAttendance.objects.create(event=event, staff=p.practitioner)
    graded_audit(p, overall=2, submitted_at=_when(today, -60))
    assert impact_data(event, today=today).attendees == []
    graded_audit(p, overall=3, submitted_at=_when(today, -5))
    assert impact_data(event, today=today).attendees == [PersonGrades(before=(1,), after=(2,))]


def test_audits_on_a_newer_version_of_the_events_domain_still_count_after_it(
    p: Personas,
) -> None:
    today = timezone.localdate()
    question = quality_questions(p)[0]
    event = TrainingEvent.objects.create(
        title="Voice", held_on=today - datetime.timedelta(days=30), question=question
    )
    TrainingAttendance.objects.create(event=event, staff=p.practitioner)
    graded_audit(p, question=question, value=2, submitted_at=_when(today, -60))
    newer = same_question_in_a_new_version(p, question)
    graded_audit(p, question=newer, value=3, submitted_at=_when(today, -5))
    assert impact_data(event, today=today).attendees == [PersonGrades(before=(1,), after=(2,))]


def test_an_audit_submitted_after_midnight_in_london_is_after_the_event(p: Personas) -> None:
    held = datetime.date(2026, 7, 1)  # British Summer Time: 23:30 UTC is 00:30 the next day
    event = TrainingEvent.objects.create(title="Standards", held_on=held)
    TrainingAttendance.objects.create(event=event, staff=p.practitioner)
    graded_audit(p, overall=2, submitted_at=datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
    graded_audit(
        p, overall=3, submitted_at=datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC)
    )
    data = impact_data(event, today=datetime.date(2026, 8, 1))
    assert data.attendees == [PersonGrades(before=(1,), after=(2,))]
