"""A deep dive records the day of its meeting with the social worker: a GOV.UK date input on
the answer page, never in the future nor before the audit was planned, needed to submit, and
shown on the audit."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.audits.models import Audit, AuditType
from auditloop.audits.services.audits import AuditIncomplete, audit_answers_save, audit_submit
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.core.refusals import Refused
from auditloop.testing import Personas


def _deep_dive(p: Personas) -> Audit:
    return planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)


def _date(day: datetime.date) -> dict[str, str]:
    return {
        "meeting_date-day": str(day.day),
        "meeting_date-month": str(day.month),
        "meeting_date-year": str(day.year),
    }


def _save(p: Personas, audit: Audit, data: dict[str, str]) -> str:
    response = p.client_for(p.auditor).post(
        reverse("audits:edit", args=[audit.public_id]), {"action": "save", **data}, follow=True
    )
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_answer_page_asks_for_the_meeting_date_with_a_govuk_date_input(p: Personas) -> None:
    text = (
        p.client_for(p.auditor)
        .get(reverse("audits:edit", args=[_deep_dive(p).public_id]))
        .content.decode()
    )
    assert "Date of the deep dive meeting</legend>" in text
    for part in ("day", "month", "year"):
        assert f'name="meeting_date-{part}"' in text


def test_a_dip_sample_does_not_ask_for_a_meeting_date(p: Personas) -> None:
    text = (
        p.client_for(p.auditor)
        .get(reverse("audits:edit", args=[planned_audit(p).public_id]))
        .content.decode()
    )
    assert "meeting_date" not in text


def test_the_auditor_records_the_meeting_date_and_the_audit_shows_it(p: Personas) -> None:
    audit = _deep_dive(p)
    today = timezone.localdate()
    _save(p, audit, _date(today))
    audit.refresh_from_db()
    assert audit.meeting_date == today
    text = (
        p.client_for(p.moderator)
        .get(reverse("audits:detail", args=[audit.public_id]))
        .content.decode()
    )
    assert f"The deep dive meeting was held on {today:%-d %B %Y}." in text


def test_a_meeting_date_in_the_future_is_refused(p: Personas) -> None:
    audit = _deep_dive(p)
    text = _save(p, audit, _date(timezone.localdate() + datetime.timedelta(days=1)))
    assert "The date of the deep dive meeting must be today or in the past" in text
    audit.refresh_from_db()
    assert audit.meeting_date is None


def test_a_meeting_date_before_the_audit_was_planned_is_refused(p: Personas) -> None:
    audit = _deep_dive(p)
    planned = timezone.now() - datetime.timedelta(days=10)
    Audit.objects.filter(pk=audit.pk).update(created_at=planned)
    text = _save(p, audit, _date(timezone.localdate() - datetime.timedelta(days=11)))
    assert (
        "The date of the deep dive meeting must be the same as or after "
        f"{timezone.localdate(planned):%-d %B %Y}, when the audit was planned"
    ) in text
    audit.refresh_from_db()
    assert audit.meeting_date is None


def test_a_meeting_date_that_is_not_a_real_date_is_refused(p: Personas) -> None:
    audit = _deep_dive(p)
    text = _save(
        p, audit, {"meeting_date-day": "31", "meeting_date-month": "2", "meeting_date-year": "2026"}
    )
    assert "Date of the deep dive meeting must be a real date, for example 27 3 2026" in text


def test_the_service_refuses_a_meeting_date_out_of_range_or_on_a_dip_sample(
    p: Personas,
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(Refused, match="today or in the past") as refused:
        audit_answers_save(audit=_deep_dive(p), by=p.auditor, answers={}, meeting_date=tomorrow)
    assert refused.value.field == "meeting_date"
    with pytest.raises(Refused, match="Only a deep dive"):
        audit_answers_save(
            audit=planned_audit(p),
            by=p.auditor,
            answers={},
            meeting_date=timezone.localdate(),
        )


def test_a_deep_dive_cannot_be_submitted_without_its_meeting_date(p: Personas) -> None:
    audit = answer_fully(_deep_dive(p))
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={},
        overall_grade=audit.overall_grade,
        strengths=audit.strengths,
        areas_for_development=audit.areas_for_development,
        impact_on_child=audit.impact_on_child,
    )
    with pytest.raises(AuditIncomplete) as incomplete:
        audit_submit(audit=audit, by=p.auditor)
    assert [problem.field for problem in incomplete.value.problems] == ["meeting_date"]


def test_a_failed_submit_from_the_audit_page_keeps_the_saved_date_in_its_boxes(
    p: Personas,
) -> None:
    audit = _deep_dive(p)
    today = timezone.localdate()
    audit_answers_save(audit=audit, by=p.auditor, answers={}, meeting_date=today)
    response = p.client_for(p.auditor).post(reverse("audits:submit", args=[audit.public_id]))
    text = response.content.decode()
    assert "Choose a grade for D1" in text
    assert f'name="meeting_date-year" type="text" inputmode="numeric" value="{today.year}"' in text
    assert "Enter the date of the deep dive meeting" not in text
