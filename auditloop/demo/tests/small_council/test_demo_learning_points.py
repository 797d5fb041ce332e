"""The demo council's learning points give the learning pages something to show: the starter
themes, points in a realistic share of the audits that count, good practice on well graded
questions and areas for development on poorly graded ones, most tagged, some left for the
theme suggestions, and some naming people for redaction to take out."""

from __future__ import annotations

import pytest
from django.db.models import Count, F
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import SHARED_STATUSES, Answer, Audit, AuditType
from auditloop.learning.defaults import DEFAULT_THEMES
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme
from auditloop.learning.redaction import redactor_for_database
from auditloop.learning.services.suggestions import theme_suggestions_generate

pytestmark = pytest.mark.django_db


def test_the_starter_themes_are_there_after_the_build(small: None) -> None:
    assert set(Theme.objects.values_list("name", flat=True)) == {n for n, _ in DEFAULT_THEMES}


def test_points_are_marked_in_a_realistic_share_of_the_audits_that_count_only(
    small: None,
) -> None:
    counted = Audit.objects.filter(status__in=SHARED_STATUSES).exclude(
        audit_type=AuditType.CALIBRATION
    )
    marked = counted.filter(learning_points__isnull=False).distinct().count()
    assert 0.3 <= marked / counted.count() <= 0.6
    assert not LearningPoint.objects.exclude(audit__in=counted).exists()
    assert not LearningPoint.objects.exclude(author=F("audit__auditor")).exists()


def test_good_practice_is_on_well_graded_questions_and_concerns_on_poorly_graded(
    small: None,
) -> None:
    for point in LearningPoint.objects.filter(question__isnull=False).select_related("question"):
        answer = Answer.objects.select_related("grade", "agreed_grade").get(
            audit_id=point.audit_id, question=point.question
        )
        grade = answer.grade_counted
        well = grade.value >= 3 if grade is not None else answer.compliance == "yes"
        assert well == (point.kind == LearningPointKind.GOOD_PRACTICE), point.text


def test_most_points_carry_a_theme_and_some_are_left_for_suggestions(small: None) -> None:
    points = LearningPoint.objects.annotate(n=Count("themes"))
    untagged = points.filter(n=0).count()
    assert 0.1 <= untagged / points.count() <= 0.3


def test_some_points_name_the_worker_and_redaction_takes_them_out(small: None) -> None:
    redactor = redactor_for_database()
    named = 0
    for point in LearningPoint.objects.select_related("audit__practitioner"):
        practitioner = point.audit.practitioner
        if practitioner is None:
            continue
        first = practitioner.name.split()[0]
        if f"{first} " in point.text:
            named += 1
            assert first not in redactor.redact(point.text).redacted
    assert named >= 20


def test_the_auditor_reads_the_points_on_an_audit_page(small: None) -> None:
    point = LearningPoint.objects.select_related("audit__auditor__user").first()
    assert point is not None
    client = Client()
    user = point.audit.auditor.user
    assert isinstance(point.audit.auditor, StaffMember) and user is not None
    client.force_login(user)
    page = client.get(reverse("learning:audit_points", args=[point.audit.public_id]))
    assert page.status_code == 200


def test_the_demo_audit_lead_gets_theme_suggestions_from_the_untagged_notes(small: None) -> None:
    lead = StaffMember.objects.get(user__username="moderator")
    made = theme_suggestions_generate(by=lead)
    assert len(made) >= 2
    assert any(s.theme is not None for s in made)
