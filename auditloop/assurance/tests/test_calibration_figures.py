"""A calibration audit is an exercise, not a judgement on the practitioner's work: it tells the
practitioner and their managers nothing, raises no action, is never returned or completed, and
is left out of every figure that counts audits (the audit list and the draws here; the API in
api/tests/test_api_calibration.py, the home page in home/tests/test_home_calibration.py). A
child's safety comes first: a flag raised on one still reaches the managers."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.assurance.tests.calibration_factories import (
    answer_and_submit,
    entry_of,
    second_auditor,
    set_exercise,
)
from auditloop.audits.access.actions import can_create_action
from auditloop.audits.access.audits import can_lead_audit
from auditloop.audits.access.feedback import can_reply_to_feedback
from auditloop.audits.models import Audit, AuditStatus, ComplianceAnswer, Question
from auditloop.audits.services.actions import action_create
from auditloop.audits.services.audits import audit_complete, audit_return, audit_submit
from auditloop.audits.services.escalations import escalation_raise
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.core.models import Notification
from auditloop.core.refusals import Refused
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.selectors.draws import recently_audited
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _submitted_calibration(p: Personas) -> Audit:
    """The compliance tool, every check answered "No" on a check that alerts the managers."""
    exercise = set_exercise(p, [p.auditor, second_auditor(p)], quality=False)
    Question.objects.filter(section__version=p.compliance_tool).update(alert_on_no=True)
    audit = entry_of(exercise, p.auditor)
    Notification.objects.all().delete()
    answer_fully(audit, compliance=ComplianceAnswer.NO)
    return audit_submit(audit=audit, by=p.auditor)


def test_submitting_a_calibration_audit_tells_neither_the_practitioner_nor_the_managers(
    p: Personas,
) -> None:
    _submitted_calibration(p)
    told = set(Notification.objects.values_list("recipient__staff__name", flat=True))
    assert not told & {p.practitioner.name, p.team_manager.name, p.senior_leader.name}


def test_the_same_no_on_an_ordinary_audit_does_tell_them(p: Personas) -> None:
    """The check above would pass vacuously if nothing were ever sent."""
    Question.objects.filter(section__version=p.compliance_tool).update(alert_on_no=True)
    audit = answer_fully(planned_audit(p), compliance=ComplianceAnswer.NO)
    audit_submit(audit=audit, by=p.auditor)
    told = set(Notification.objects.values_list("recipient__staff__name", flat=True))
    assert {p.practitioner.name, p.team_manager.name} <= told


def test_a_flag_on_a_calibration_audit_still_reaches_the_team_manager_and_head(
    p: Personas,
) -> None:
    exercise = set_exercise(p)
    audit = entry_of(exercise, p.auditor)
    Notification.objects.all().delete()
    escalation = escalation_raise(audit=audit, by=p.auditor, reason="No visit for ten weeks.")
    told = set(Notification.objects.filter(is_urgent=True).values_list("recipient", flat=True))
    assert {p.team_manager.user_id, p.senior_leader.user_id} <= told
    url = reverse("audits:escalation", args=[escalation.public_id])
    assert p.client_for(p.team_manager).get(url).status_code == 200
    # The flag, not the exercise: the audit itself stays out of the manager's reach.
    detail = reverse("audits:detail", args=[audit.public_id])
    assert p.client_for(p.team_manager).get(detail).status_code == 404


def test_a_calibration_audit_raises_no_action(p: Personas) -> None:
    audit = _submitted_calibration(p)
    assert not can_create_action(p.auditor, audit)
    assert not can_create_action(p.moderator, audit)
    with pytest.raises(Refused, match="raises no actions"):
        action_create(
            audit=audit,
            by=p.auditor,
            description="Visit the child.",
            owner=p.practitioner,
            due_date=timezone.localdate() + datetime.timedelta(days=7),
        )


def test_a_calibration_audit_is_never_returned_or_completed(p: Personas) -> None:
    audit = _submitted_calibration(p)
    assert not can_lead_audit(p.moderator, audit)
    with pytest.raises(Refused, match="Only an audit lead"):
        audit_return(audit=audit, by=p.moderator, reason="Look again.")
    with pytest.raises(Refused, match="Only an audit lead"):
        audit_complete(audit=audit, by=p.moderator)


def test_the_practitioner_cannot_reply_to_a_calibration_audit(p: Personas) -> None:
    audit = _submitted_calibration(p)
    assert not can_reply_to_feedback(p.practitioner, audit)


def test_the_audit_list_leaves_calibration_audits_out_unless_asked_for(
    p: Personas,
) -> None:
    ordinary = answer_fully(planned_audit(p))
    calibration = _submitted_calibration(p)
    client = p.client_for(p.moderator)
    listed = client.get(reverse("audits:list")).content.decode()
    assert str(ordinary.public_id) in listed
    assert str(calibration.public_id) not in listed
    assert "1 audit<" in listed
    asked = client.get(reverse("audits:list") + "?audit_type=calibration").content.decode()
    assert str(calibration.public_id) in asked


def test_a_case_audited_only_in_calibration_is_not_recently_audited_for_a_draw(
    p: Personas,
) -> None:
    exercise = set_exercise(p)
    for audit in Audit.objects.filter(calibration_entry__exercise=exercise):
        answer_and_submit(audit)
    spec = DrawSpec(seed=1, size=5, service_ids=(p.north.pk,))
    assert p.case.pk not in recently_audited(spec)
    planned_audit(p)
    assert p.case.pk in recently_audited(spec)


def test_a_submitted_calibration_audit_stays_submitted_for_comparison(p: Personas) -> None:
    audit = _submitted_calibration(p)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
