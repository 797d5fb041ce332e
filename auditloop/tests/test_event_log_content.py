"""The event log records which audit content changed, never what it says: an administrator
reads the log and is not entitled to the findings, replies, flags or actions."""

from __future__ import annotations

import datetime
import importlib
import json

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from auditloop.audits.models import (
    ActionStatus,
    AuditStatus,
    AuditType,
    Grade,
    ParticipantRole,
    Question,
    Respondent,
)
from auditloop.audits.services.actions import action_cancel, action_complete, action_create
from auditloop.audits.services.audits import (
    AnswerInput,
    audit_answers_save,
    audit_return,
    audit_submit,
    participant_add,
)
from auditloop.audits.services.escalations import escalation_acknowledge, escalation_raise
from auditloop.audits.services.family import (
    family_contact_record,
    family_form_open,
    family_form_submit,
    family_link_create,
)
from auditloop.audits.services.feedback import feedback_reply
from auditloop.audits.tests.audit_factories import full_answers, planned_audit
from auditloop.audits.tests.followup_factories import make_action
from auditloop.core.models import Event
from auditloop.sampling.services.cycles import cycle_create
from auditloop.sampling.services.picks import pick_add, pick_remove
from auditloop.testing import Personas

NEXT_MONTH = timezone.localdate() + datetime.timedelta(days=30)


def _secret(what: str) -> str:
    """Text no service would write by itself, so finding it in the log means it was copied."""
    return f"Secret {what} text 7f3a"


def _log_text() -> str:
    return "\n".join(
        json.dumps([e.summary, e.before, e.after, e.content_changed], default=str)
        for e in Event.objects.all()
    )


def _walk_every_content_bearing_service(p: Personas) -> list[str]:
    """Drive each service that takes audit content, each given its own secret; the secrets."""
    given: list[str] = []

    def secret(what: str) -> str:
        given.append(_secret(what))
        return given[-1]

    auditor, lead = p.auditor, p.moderator
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    participant_add(
        audit=audit,
        by=auditor,
        staff=p.practitioner,
        role=ParticipantRole.PRACTITIONER,
        contribution=secret("contribution"),
    )
    answers = full_answers(audit)
    first = Question.objects.filter(section__version=audit.tool_version).first()
    assert first is not None
    answers[first.pk] = AnswerInput(
        grade=answers[first.pk].grade,
        evidence=secret("evidence"),
        working_well=secret("working well"),
        worried_about=secret("worried about"),
    )
    audit_answers_save(
        audit=audit,
        by=auditor,
        answers=answers,
        overall_grade=Grade.objects.get(scale=audit.tool_version.grading_scale, code="good"),
        strengths=secret("strengths"),
        areas_for_development=secret("areas for development"),
        impact_on_child=secret("impact on the child"),
        practitioner_reflection=secret("reflection"),
        meeting_date=timezone.localdate(),
    )
    family = {q.text: q.pk for q in audit.tool_version.family_questions.all()}
    family_contact_record(
        audit=audit,
        by=auditor,
        respondent=Respondent.CHILD,
        made=True,
        method="visit",
        own_words=secret("child's own words"),
        texts={family["What would have helped?"]: secret("what would have helped")},
    )
    family_contact_record(
        audit=audit,
        by=auditor,
        respondent=Respondent.PARENT_CARER,
        made=False,
        not_made_reason=secret("why no contact"),
    )
    audit_submit(audit=audit, by=auditor)
    _, token = family_link_create(audit=audit, respondent=Respondent.CHILD, by=lead)
    given.append(token)  # the online form's link is never logged either
    opened = family_form_open(token=token, client="client")
    assert opened.link is not None
    family_form_submit(
        link=opened.link,
        client="client",
        replies={},
        texts={family["What would have helped?"]: secret("online answer")},
        own_words=secret("online own words"),
    )
    audit_return(audit=audit, by=lead, reason=secret("return reason"))
    audit_submit(audit=audit, by=auditor)
    feedback_reply(audit=audit, by=p.practitioner, text=secret("reply"))
    flag = escalation_raise(audit=audit, by=auditor, reason=secret("flag reason"))
    escalation_acknowledge(escalation=flag, by=p.team_manager, response=secret("flag response"))
    done = action_create(
        audit=audit,
        by=auditor,
        description=secret("action description"),
        owner=p.practitioner,
        due_date=NEXT_MONTH,
    )
    action_complete(action=done, by=p.practitioner, evidence=secret("evidence of done"))
    dropped = action_create(
        audit=audit,
        by=auditor,
        description=secret("second action"),
        owner=p.practitioner,
        due_date=NEXT_MONTH,
    )
    action_cancel(action=dropped, by=auditor, reason=secret("cancel reason"))
    cycle = cycle_create(
        name="North, April to September 2026",
        services=[p.north],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.quality_tool],
        audit_types=["deep_dive"],
        auditors=[p.auditor],
        by=p.moderator,
    )
    pick_add(cycle=cycle, case=p.case, reason=secret("pick reason"), by=p.moderator)
    pick_remove(cycle=cycle, case=p.case, by=p.moderator)
    assert audit.status == AuditStatus.SUBMITTED
    return given


def test_no_text_given_to_a_content_bearing_service_reaches_the_event_log(p: Personas) -> None:
    given = _walk_every_content_bearing_service(p)
    log = _log_text()
    assert Event.objects.count() > len(given)
    leaked = [text for text in given if text in log]
    assert not leaked, f"audit content copied into the event log: {leaked}"


def test_grades_are_logged_as_changed_not_by_value(p: Personas) -> None:
    _walk_every_content_bearing_service(p)
    saved = Event.objects.get(verb="audit.answers_saved")
    assert "overall_grade" in saved.content_changed
    assert "overall_grade" not in saved.before
    assert "overall_grade" not in saved.after
    assert saved.content_changed == [
        "meeting_date",
        "overall_grade",
        "strengths",
        "areas_for_development",
        "impact_on_child",
        "practitioner_reflection",
    ]


def test_the_event_log_names_the_content_fields_that_changed(p: Personas) -> None:
    _walk_every_content_bearing_service(p)
    named = {e.verb: e.content_changed for e in Event.objects.exclude(content_changed=[])}
    assert named["feedback.replied"] == ["text"]
    assert named["escalation.raised"] == ["reason"]
    assert named["escalation.acknowledged"] == ["response"]
    assert named["action.completed"] == ["completion_evidence"]
    assert named["action.cancelled"] == ["cancel_reason"]
    assert named["audit.returned"] == ["return_reason"]
    assert named["sample.case_chosen"] == ["reason"]
    # Facts stay as before and after values: the status of the return, the flag's times.
    returned = Event.objects.get(verb="audit.returned")
    assert returned.after == {"status": AuditStatus.IN_PROGRESS}


def test_the_administrators_event_log_shows_that_content_changed_and_not_what_it_says(
    p: Personas,
) -> None:
    given = _walk_every_content_bearing_service(p)
    page = p.client_for(p.administrator).get(reverse("accounts:event_list")).content.decode()
    assert "Strengths" in page
    assert "what it says is kept with the record" in page
    assert not [text for text in given if text in page]


def test_a_cancelled_actions_reason_is_kept_on_the_action_for_those_who_may_read_it(
    p: Personas,
) -> None:
    _walk_every_content_bearing_service(p)
    event = Event.objects.get(verb="action.cancelled")
    url = reverse("audits:action", kwargs={"public_id": event.target_id})
    page = p.client_for(p.moderator).get(url).content.decode()
    assert _secret("cancel reason") in page


def test_the_migration_moves_old_cancel_reasons_onto_actions_and_scrubs_old_rows(
    p: Personas,
) -> None:
    migration = importlib.import_module("auditloop.audits.migrations.0002_action_cancel_reason")
    action = make_action(p, status=ActionStatus.CANCELLED)
    audit = action.audit
    Event.objects.create(
        verb="action.cancelled",
        target_type="audits.action",
        target_id=str(action.public_id),
        before={"status": "open", "description": "Old text"},
        after={"status": "cancelled", "description": "Old text", "reason": "Old reason"},
    )
    Event.objects.create(
        verb="audit.answers_saved",
        target_type="audits.audit",
        target_id=str(audit.public_id),
        before={"strengths": "", "overall_grade": None, "impact_on_child": "Same"},
        after={"strengths": "Old strengths", "overall_grade": "Good", "impact_on_child": "Same"},
    )
    migration.move_cancel_reasons(apps, None)
    migration.scrub_event_content(apps, None)
    action.refresh_from_db()
    assert action.cancel_reason == "Old reason"
    assert "Old" not in _log_text()
    saved = Event.objects.get(verb="audit.answers_saved")
    assert saved.content_changed == ["overall_grade", "strengths"]
    assert Event.objects.get(verb="action.cancelled").content_changed == ["cancel_reason"]
