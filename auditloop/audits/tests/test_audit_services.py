from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.audits.models import (
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Grade,
    Participant,
    ParticipantRole,
    Question,
)
from auditloop.audits.services.audits import (
    AnswerInput,
    AuditIncomplete,
    audit_answers_save,
    audit_complete,
    audit_return,
    audit_submit,
    participant_add,
    participant_remove,
)
from auditloop.audits.services.planning import audit_create
from auditloop.audits.tests.audit_factories import (
    answer_fully,
    full_answers,
    planned_audit,
)
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff


def _question(audit: Audit, code: str) -> Question:
    return Question.objects.get(section__version=audit.tool_version, code=code)


# audit_create


def test_audit_lead_plans_an_audit_with_the_case_worker_and_team_recorded(p: Personas) -> None:
    audit = audit_create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        auditor=p.auditor,
        by=p.moderator,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        theme="  visits ",
    )
    assert audit.status == AuditStatus.PLANNED
    assert audit.practitioner == p.practitioner
    assert audit.team == p.north_a
    assert audit.theme == "visits"
    assert audit.created_by == p.moderator.user
    event = Event.objects.get(verb="audit.created")
    assert event.target_id == str(audit.public_id)
    assert "00123" not in event.summary + str(event.after)


def test_auditor_cannot_audit_a_case_they_hold(p: Personas) -> None:
    p.practitioner.role = Role.AUDITOR  # a worker who also audits
    p.practitioner.save()
    with pytest.raises(Refused, match="holds or manages this case") as refused:
        planned_audit(p, auditor=p.practitioner)
    assert refused.value.field == "auditor"
    assert not Audit.objects.exists()


def test_team_manager_cannot_audit_a_case_in_the_team_they_manage(p: Personas) -> None:
    with pytest.raises(Refused, match="holds or manages"):
        planned_audit(p, auditor=p.team_manager)


def test_line_manager_cannot_audit_their_workers_case_from_another_team(p: Personas) -> None:
    p.team_manager.team = p.north_b
    p.team_manager.save()
    with pytest.raises(Refused, match="holds or manages"):
        planned_audit(p, auditor=p.team_manager)


def test_team_manager_from_another_team_may_audit_the_case(p: Personas) -> None:
    audit = planned_audit(p, auditor=p.outsider_manager)
    assert audit.auditor == p.outsider_manager


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.BOARD_MEMBER, Role.ADMINISTRATOR])
def test_staff_whose_role_cannot_audit_are_refused(p: Personas, role: Role) -> None:
    someone = make_staff(f"someone-{role}", "Sid Someone", role, p.south_a)
    with pytest.raises(Refused, match="cannot be given audits"):
        planned_audit(p, auditor=someone)


def test_an_inactive_auditor_is_refused(p: Personas) -> None:
    p.auditor.is_active = False
    p.auditor.save()
    with pytest.raises(Refused, match="no longer an active"):
        planned_audit(p)


def test_an_unpublished_tool_version_is_refused(p: Personas) -> None:
    p.compliance_tool.is_published = False
    p.compliance_tool.save()
    with pytest.raises(Refused, match="not published") as refused:
        planned_audit(p)
    assert refused.value.field == "tool_version"


def test_a_revisit_needs_the_earlier_audit(p: Personas) -> None:
    with pytest.raises(Refused, match="revisit needs the earlier audit"):
        planned_audit(p, audit_type=AuditType.REVISIT)


def test_only_a_revisit_follows_up_an_earlier_audit(p: Personas) -> None:
    earlier = planned_audit(p)
    with pytest.raises(Refused, match="Only a revisit"):
        audit_create(
            case=p.case,
            tool_version=p.compliance_tool,
            audit_type=AuditType.DIP_SAMPLE,
            auditor=p.auditor,
            by=None,
            revisit_of=earlier,
        )


def test_a_revisit_must_follow_up_the_same_case(p: Personas) -> None:
    earlier = planned_audit(p, case=p.outsider_case)
    with pytest.raises(Refused, match="same case"):
        audit_create(
            case=p.case,
            tool_version=p.compliance_tool,
            audit_type=AuditType.REVISIT,
            auditor=p.auditor,
            by=None,
            revisit_of=earlier,
        )


def test_a_revisit_links_to_the_earlier_audit(p: Personas) -> None:
    earlier = planned_audit(p)
    revisit = audit_create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.REVISIT,
        auditor=p.auditor,
        by=None,
        revisit_of=earlier,
    )
    assert revisit.revisit_of == earlier
    assert list(earlier.revisits.all()) == [revisit]


# audit_answers_save


def test_first_draft_starts_the_audit_and_saves_answers(p: Personas) -> None:
    audit = planned_audit(p)
    a1 = _question(audit, "A1")
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={a1.pk: AnswerInput(compliance=ComplianceAnswer.NO, evidence=" gap ")},
        strengths="Good visits",
    )
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.started_at is not None
    assert audit.strengths == "Good visits"
    answer = audit.answers.get()
    assert (answer.compliance, answer.evidence) == ("no", "gap")
    verbs = list(Event.objects.order_by("id").values_list("verb", flat=True))
    assert verbs[-2:] == ["audit.started", "audit.answers_saved"]


def test_saving_again_updates_answers_without_duplicates(p: Personas) -> None:
    audit = planned_audit(p)
    a1 = _question(audit, "A1")
    by = p.auditor
    audit_answers_save(audit=audit, by=by, answers={a1.pk: AnswerInput(compliance="no")})
    audit_answers_save(audit=audit, by=by, answers={a1.pk: AnswerInput(compliance="yes")})
    assert list(audit.answers.values_list("compliance", flat=True)) == ["yes"]
    assert Event.objects.filter(verb="audit.started").count() == 1


def test_only_the_auditor_can_save_answers(p: Personas) -> None:
    audit = planned_audit(p)
    with pytest.raises(Refused, match="Only the auditor"):
        audit_answers_save(audit=audit, by=p.moderator, answers={})


def test_a_submitted_audit_cannot_be_changed_by_its_auditor(p: Personas) -> None:
    audit = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    with pytest.raises(Refused, match="submitted cannot be changed"):
        audit_answers_save(audit=audit, by=p.auditor, answers={})


def test_an_answer_to_a_question_of_another_tool_is_refused(p: Personas) -> None:
    audit = planned_audit(p)
    other = Question.objects.filter(section__version=p.quality_tool).first()
    assert other is not None
    with pytest.raises(Refused, match="not in this audit"):
        audit_answers_save(
            audit=audit, by=p.auditor, answers={other.pk: AnswerInput(compliance="yes")}
        )
    assert audit.status == AuditStatus.PLANNED


def test_a_grade_on_a_compliance_check_is_refused(p: Personas) -> None:
    audit = planned_audit(p)
    good = Grade.objects.get(scale=audit.tool_version.grading_scale, code="good")
    with pytest.raises(Refused, match="not graded"):
        audit_answers_save(
            audit=audit,
            by=p.auditor,
            answers={_question(audit, "A1").pk: AnswerInput(grade=good)},
        )


def test_a_grade_from_another_scale_is_refused(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.THEMATIC)
    ten = Grade.objects.get(scale__slug="scaling-0-10", code="10")
    with pytest.raises(Refused, match="not on this audit tool's grading scale"):
        audit_answers_save(audit=audit, by=p.auditor, answers={}, overall_grade=ten)


def test_a_compliance_answer_outside_yes_no_na_is_refused(p: Personas) -> None:
    audit = planned_audit(p)
    with pytest.raises(Refused, match="yes, no or not applicable"):
        audit_answers_save(
            audit=audit,
            by=p.auditor,
            answers={_question(audit, "A1").pk: AnswerInput(compliance="maybe")},
        )


# audit_submit


def test_auditor_submits_a_complete_audit(p: Personas) -> None:
    audit = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
    assert audit.submitted_at is not None
    assert Event.objects.filter(verb="audit.submitted", target_id=str(audit.public_id)).exists()


def test_submission_lists_everything_that_is_missing(p: Personas) -> None:
    audit = planned_audit(p)
    a3 = _question(audit, "A3")
    audit_answers_save(audit=audit, by=p.auditor, answers={a3.pk: AnswerInput(compliance="no")})
    with pytest.raises(AuditIncomplete) as refused:
        audit_submit(audit=audit, by=p.auditor)
    messages = [problem.message for problem in refused.value.problems]
    assert "answer A1 with yes, no or not applicable" in messages
    assert "add an evidence note for the 'No' on A3" in messages
    assert "answer A3 with yes, no or not applicable" not in messages
    a3_text = f"A3 '{a3.text.rstrip('.')}' is answered No: add an action, or say why none is needed"
    assert a3_text in messages
    for missing in (
        "choose an overall grade",
        "record the strengths",
        "record the areas for development",
        "record the impact on the child",
    ):
        assert missing in messages
    assert len(messages) == 14 + 2 + 4
    assert str(refused.value).startswith("This audit cannot be submitted yet: answer A1")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS


def test_each_graded_domain_needs_a_grade(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.THEMATIC)
    answers = full_answers(audit)
    d5 = _question(audit, "D5")
    answers[d5.pk] = AnswerInput(working_well="Regular supervision.")
    answer_fully(audit)
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers=answers,
        overall_grade=audit.overall_grade,
        strengths="s",
        areas_for_development="a",
        impact_on_child="i",
    )
    with pytest.raises(AuditIncomplete) as refused:
        audit_submit(audit=audit, by=p.auditor)
    assert [(x.field, x.message) for x in refused.value.problems] == [
        ("grade", "choose a grade for D5")
    ]


def test_a_deep_dive_needs_the_practitioner_recorded_as_taking_part(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    answer_fully(audit)
    Participant.objects.filter(audit=audit).delete()
    participant_add(audit=audit, by=p.auditor, staff=p.team_manager, role=ParticipantRole.MANAGER)
    with pytest.raises(AuditIncomplete, match="record the practitioner as taking part"):
        audit_submit(audit=audit, by=p.auditor)


def test_a_no_on_an_alerting_check_tells_the_team_manager_at_once(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    by = p.auditor
    for code in ("A1", "A5", "A3"):
        audit_answers_save(
            audit=audit,
            by=by,
            answers={
                _question(audit, code).pk: AnswerInput(
                    compliance="no", evidence="Not seen", no_action_reason="Raised at once."
                )
            },
            overall_grade=audit.overall_grade,
            strengths="s",
            areas_for_development="a",
            impact_on_child="i",
        )
    assert not Notification.objects.exists()  # nothing is sent before the submission
    audit_submit(audit=audit, by=by)
    note = Notification.objects.get(recipient=p.team_manager.user)
    assert note.is_urgent
    assert "A1, A5" in note.message
    assert "A3" not in note.message
    assert "00123" not in note.message + note.url
    assert len(mail.outbox) == 0  # sent on commit; pytest-django's test runs in a transaction


@pytest.mark.django_db(transaction=True)
def test_the_alert_is_emailed_to_the_team_manager_without_the_childs_id(p: Personas) -> None:
    audit = answer_fully(planned_audit(p), compliance=ComplianceAnswer.NO)
    audit_submit(audit=audit, by=p.auditor)
    alerts = [m for m in mail.outbox if m.subject.startswith("Audit alert")]
    assert len(alerts) == 1
    email = alerts[0]
    assert email.to == [p.team_manager.email]
    assert "00123" not in f"{email.subject} {email.body}"


def test_no_alert_when_every_alerting_check_is_yes(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={
            _question(audit, "A3").pk: AnswerInput(
                compliance="no", evidence="none", no_action_reason="Done the same day."
            )
        },
        overall_grade=audit.overall_grade,
        strengths="s",
        areas_for_development="a",
        impact_on_child="i",
    )
    audit_submit(audit=audit, by=p.auditor)
    assert not Notification.objects.filter(recipient=p.team_manager.user).exists()


def test_submitting_tells_the_practitioner_their_feedback_is_ready(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    audit_submit(audit=audit, by=p.auditor)
    note = Notification.objects.get(recipient=p.practitioner.user)
    assert note.url.endswith(f"{audit.public_id}/")
    assert "00123" not in note.message


def test_only_the_auditor_can_submit(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    with pytest.raises(Refused, match="Only the auditor"):
        audit_submit(audit=audit, by=p.moderator)


def test_a_planned_audit_cannot_be_submitted(p: Personas) -> None:
    audit = planned_audit(p)
    with pytest.raises(Refused, match=r"An audit that is planned cannot be submitted\."):
        audit_submit(audit=audit, by=p.auditor)


# audit_return and audit_complete


def _submitted(p: Personas) -> Audit:
    return audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)


def test_audit_lead_returns_a_submitted_audit_with_a_reason(p: Personas) -> None:
    audit = audit_return(audit=_submitted(p), by=p.moderator, reason=" Grade D3 again ")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.return_reason == "Grade D3 again"
    event = Event.objects.get(verb="audit.returned")
    assert event.before == {"status": "submitted"}
    assert event.after == {"status": "in_progress"}
    note = Notification.objects.get(recipient=p.auditor.user)
    assert "returned" in note.message


def test_a_returned_audit_can_be_changed_and_submitted_again(p: Personas) -> None:
    audit = audit_return(audit=_submitted(p), by=p.moderator, reason="Check A4")
    answer_fully(audit)
    audit_submit(audit=audit, by=p.auditor)
    assert audit.status == AuditStatus.SUBMITTED


def test_returning_needs_a_reason(p: Personas) -> None:
    audit = _submitted(p)
    with pytest.raises(Refused, match="Say why") as refused:
        audit_return(audit=audit, by=p.moderator, reason="   ")
    assert refused.value.field == "reason"
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


@pytest.mark.parametrize("who", ["auditor", "senior_leader", "team_manager"])
def test_only_an_audit_lead_can_return_or_complete(p: Personas, who: str) -> None:
    audit = _submitted(p)
    staff = getattr(p, who)
    with pytest.raises(Refused, match="Only an audit lead"):
        audit_return(audit=audit, by=staff, reason="Why")
    with pytest.raises(Refused, match="Only an audit lead"):
        audit_complete(audit=audit, by=staff)


def test_an_audit_lead_of_another_service_cannot_complete(p: Personas) -> None:
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    with pytest.raises(Refused, match="Only an audit lead"):
        audit_complete(audit=_submitted(p), by=south_lead)


def test_audit_lead_completes_a_submitted_audit(p: Personas) -> None:
    audit = audit_complete(audit=_submitted(p), by=p.moderator)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED
    assert audit.completed_at is not None
    assert audit.completed_at <= timezone.now()


def test_an_in_progress_audit_cannot_be_completed(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    with pytest.raises(Refused, match=r"An audit that is in progress cannot be completed\."):
        audit_complete(audit=audit, by=p.moderator)


def test_a_completed_audit_cannot_be_returned(p: Personas) -> None:
    audit = audit_complete(audit=_submitted(p), by=p.moderator)
    with pytest.raises(Refused, match=r"An audit that is completed cannot be returned\."):
        audit_return(audit=audit, by=p.moderator, reason="Late thought")


# participants


def _deep_dive(p: Personas) -> Audit:
    return planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)


def test_auditor_records_who_took_part_and_removes_them(p: Personas) -> None:
    audit = _deep_dive(p)
    participant = participant_add(
        audit=audit,
        by=p.auditor,
        staff=p.practitioner,
        role=ParticipantRole.PRACTITIONER,
        contribution=" Mapped the child's journey ",
    )
    assert participant.contribution == "Mapped the child's journey"
    assert Event.objects.filter(verb="audit.participant_added").count() == 1
    participant_remove(audit=audit, by=p.auditor, participant=participant)
    assert not audit.participants.exists()
    assert Event.objects.filter(verb="audit.participant_removed").count() == 1


def test_someone_is_recorded_once(p: Personas) -> None:
    audit = _deep_dive(p)
    by = p.auditor
    participant_add(audit=audit, by=by, staff=p.practitioner, role=ParticipantRole.PRACTITIONER)
    with pytest.raises(Refused, match="already recorded"):
        participant_add(audit=audit, by=by, staff=p.practitioner, role=ParticipantRole.OTHER)


def test_participants_are_for_deep_dives_only(p: Personas) -> None:
    with pytest.raises(Refused, match="deep dives only"):
        participant_add(
            audit=planned_audit(p),
            by=p.auditor,
            staff=p.practitioner,
            role=ParticipantRole.PRACTITIONER,
        )


def test_only_the_auditor_records_participants(p: Personas) -> None:
    audit = _deep_dive(p)
    with pytest.raises(Refused, match="Only the auditor"):
        participant_add(
            audit=audit,
            by=p.moderator,
            staff=p.practitioner,
            role=ParticipantRole.PRACTITIONER,
        )


def test_a_participant_of_another_audit_cannot_be_removed_here(p: Personas) -> None:
    first, second = _deep_dive(p), _deep_dive(p)
    participant = participant_add(
        audit=first, by=p.auditor, staff=p.practitioner, role=ParticipantRole.OTHER
    )
    with pytest.raises(Refused, match="not recorded on this audit"):
        participant_remove(audit=second, by=p.auditor, participant=participant)


def test_the_practitioners_reflection_is_saved_on_a_deep_dive(p: Personas) -> None:
    audit = _deep_dive(p)
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={},
        practitioner_reflection=" I will see him alone next time. ",
    )
    audit.refresh_from_db()
    assert audit.practitioner_reflection == "I will see him alone next time."
    audit_answers_save(audit=audit, by=p.auditor, answers={})
    audit.refresh_from_db()
    assert audit.practitioner_reflection == "I will see him alone next time."
