"""Every weakness becomes an action: an audit is not submitted until each "No" on a compliance
check and each grade that needs an action (Requires improvement or Inadequate on Ofsted's
scale, whatever the scale marks on another) has an action or a recorded reason why none is
needed. The auditor adds either beside the question on the answers page."""

from __future__ import annotations

import datetime
import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from auditloop.audits import migrations
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Grade,
    GradingScale,
    Question,
    ToolVersion,
)
from auditloop.audits.services.actions import (
    FindingAction,
    action_cancel,
    action_create,
    finding_actions_create,
)
from auditloop.audits.services.audits import (
    AnswerInput,
    AuditIncomplete,
    audit_answers_save,
    audit_submit,
)
from auditloop.audits.services.scales import (
    grade_add,
    grading_scale_action_grades_set,
    grading_scale_create,
)
from auditloop.audits.tests.audit_factories import answer_fully, full_answers, planned_audit
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas

NEXT_MONTH = timezone.localdate() + datetime.timedelta(days=30)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _question(audit: Audit, code: str) -> Question:
    return Question.objects.get(section__version=audit.tool_version, code=code)


def _answer(audit: Audit, code: str) -> Answer:
    return audit.answers.get(question__code=code)


def _findings(audit: Audit) -> dict[str, Any]:
    return {
        "overall_grade": audit.overall_grade,
        "strengths": audit.strengths,
        "areas_for_development": audit.areas_for_development,
        "impact_on_child": audit.impact_on_child,
        "meeting_date": audit.meeting_date,
    }


def _answered_with_a_no(p: Personas, code: str = "A3") -> Audit:
    """A dip sample answered in full, Yes throughout but a "No" on `code`, with no action and
    no reason."""
    audit = answer_fully(planned_audit(p))
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={_question(audit, code).pk: AnswerInput(compliance="no", evidence="Not seen.")},
        **_findings(audit),
    )
    return audit


def _graded(p: Personas, grade_code: str, *, audit_type: str = AuditType.THEMATIC) -> Audit:
    """A quality audit graded `grade_code` throughout, with no action and no reason."""
    audit = planned_audit(p, tool=p.quality_tool, audit_type=audit_type)
    return answer_fully(audit, grade_code=grade_code, no_action_reasons=False)


def _problems(audit: Audit, by: Any) -> list[str]:
    with pytest.raises(AuditIncomplete) as refused:
        audit_submit(audit=audit, by=by)
    return [problem.message for problem in refused.value.problems]


# --- the rule -----------------------------------------------------------------------------------


def test_a_no_without_an_action_or_a_reason_stops_submission_naming_the_question(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    with pytest.raises(AuditIncomplete) as refused:
        audit_submit(audit=audit, by=p.auditor)
    [problem] = refused.value.problems
    assert problem.question_id == a3.pk
    assert problem.field == "action_description"
    assert problem.message == (
        f"A3 '{a3.text.rstrip('.')}' is answered No: add an action, or say why none is needed"
    )
    assert f"A3 '{a3.text.rstrip('.')}' is answered No" in str(refused.value)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS


def test_every_no_and_every_weak_grade_is_named_in_the_order_of_the_tool(p: Personas) -> None:
    audit = answer_fully(planned_audit(p), compliance=ComplianceAnswer.NO, no_action_reasons=False)
    codes = list(
        Question.objects.filter(section__version=audit.tool_version)
        .order_by("section__order", "order")
        .values_list("code", flat=True)
    )
    problems = _problems(audit, p.auditor)
    assert [m.split(" ")[0] for m in problems] == codes
    assert len(codes) == 15


def test_a_no_with_an_action_from_its_answer_is_submitted(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    action_create(
        audit=audit,
        by=p.auditor,
        description="Record the visits.",
        owner=p.practitioner,
        due_date=NEXT_MONTH,
        answer=_answer(audit, "A3"),
    )
    audit_submit(audit=audit, by=p.auditor)
    assert audit.status == AuditStatus.SUBMITTED


def test_a_no_with_a_reason_why_no_action_is_needed_is_submitted(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={
            _question(audit, "A3").pk: AnswerInput(
                compliance="no",
                evidence="Not seen.",
                no_action_reason="The visit was recorded while I audited.",
            )
        },
        **_findings(audit),
    )
    assert _answer(audit, "A3").no_action_reason == "The visit was recorded while I audited."
    event = Event.objects.filter(verb="audit.answers_saved").latest("id")
    assert "The visit" not in str(event.after) + event.summary
    audit_submit(audit=audit, by=p.auditor)


def test_an_action_from_the_audit_overall_does_not_answer_a_no(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    action_create(
        audit=audit,
        by=p.auditor,
        description="Supervision to look at visits.",
        owner=p.practitioner,
        due_date=NEXT_MONTH,
    )
    assert len(_problems(audit, p.auditor)) == 1


def test_a_cancelled_action_is_no_action(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    action = action_create(
        audit=audit,
        by=p.auditor,
        description="Record the visits.",
        owner=p.practitioner,
        due_date=NEXT_MONTH,
        answer=_answer(audit, "A3"),
    )
    action_cancel(action=action, by=p.auditor, reason="Written against the wrong check.")
    assert len(_problems(audit, p.auditor)) == 1


@pytest.mark.parametrize("grade", ["requires_improvement", "inadequate"])
def test_a_grade_below_good_needs_an_action(p: Personas, grade: str) -> None:
    audit = _graded(p, grade)
    label = Grade.objects.get(scale__slug="ofsted-four", code=grade).label
    problems = _problems(audit, p.auditor)
    assert len(problems) == 8
    assert f"is graded {label}: add an action, or say why none is needed" in problems[0]


@pytest.mark.parametrize("grade", ["outstanding", "good"])
def test_a_good_or_outstanding_grade_needs_no_action(p: Personas, grade: str) -> None:
    audit_submit(audit=_graded(p, grade), by=p.auditor)


def test_the_default_scales_say_which_grades_need_an_action(p: Personas) -> None:
    assert set(
        Grade.objects.filter(scale__slug="ofsted-four", needs_action=True).values_list(
            "code", flat=True
        )
    ) == {"requires_improvement", "inadequate"}
    scaling = Grade.objects.filter(scale__slug="scaling-0-10", needs_action=True)
    assert sorted(scaling.values_list("value", flat=True)) == [0, 1, 2, 3, 4, 5]


def _on_scaling(p: Personas) -> ToolVersion:
    """The quality tool, graded on the 0-10 scale instead."""
    ToolVersion.objects.filter(pk=p.quality_tool.pk).update(
        grading_scale=GradingScale.objects.get(slug="scaling-0-10")
    )
    p.quality_tool.refresh_from_db()
    return p.quality_tool


def _graded_on_scaling(p: Personas, grade_code: str) -> Audit:
    """A quality audit graded `grade_code` on the 0-10 scale throughout, 7 overall, with no
    action and no reason."""
    _on_scaling(p)
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.THEMATIC)
    return audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers=full_answers(audit, grade_code=grade_code, no_action_reasons=False),
        overall_grade=Grade.objects.get(scale__slug="scaling-0-10", code="7"),
        strengths="s",
        areas_for_development="a",
        impact_on_child="i",
    )


@pytest.mark.parametrize(("grade", "needs"), [("4", True), ("5", True), ("6", False)])
def test_on_the_0_to_10_scale_the_lower_part_needs_an_action(
    p: Personas, grade: str, needs: bool
) -> None:
    audit = _graded_on_scaling(p, grade)
    if needs:
        assert len(_problems(audit, p.auditor)) == 8
    else:
        audit_submit(audit=audit, by=p.auditor)


def test_an_audit_lead_decides_which_grades_need_an_action_on_any_scale(p: Personas) -> None:
    scale = GradingScale.objects.get(slug="scaling-0-10")
    grading_scale_action_grades_set(scale=scale, codes=["0", "1", "2", "3"], by=p.moderator)
    audit_submit(audit=_graded_on_scaling(p, "5"), by=p.auditor)
    event = Event.objects.get(verb="grading_scale.action_grades_set")
    assert event.after == {"needs_action": ["3", "2", "1", "0"]}


def test_a_grade_the_scale_does_not_have_is_refused(p: Personas) -> None:
    scale = GradingScale.objects.get(slug="ofsted-four")
    with pytest.raises(Refused, match="has no grade excellent"):
        grading_scale_action_grades_set(scale=scale, codes=["excellent"], by=p.moderator)


def test_the_grade_that_counts_decides_an_agreed_grade_below_good_needs_an_action(
    p: Personas,
) -> None:
    # A returned audit whose moderation agreed Inadequate where the auditor said Good.
    audit = _graded(p, "good")
    inadequate = Grade.objects.get(scale__slug="ofsted-four", code="inadequate")
    audit.answers.filter(question__code="D1").update(agreed_grade=inadequate)
    [problem] = _problems(audit, p.auditor)
    assert problem.startswith("D1 ")
    assert "is graded Inadequate" in problem


def test_the_grade_that_counts_decides_an_agreed_good_grade_needs_none(p: Personas) -> None:
    audit = _graded(p, "good")
    audit.answers.filter(question__code="D1").update(
        grade=Grade.objects.get(scale__slug="ofsted-four", code="requires_improvement"),
        agreed_grade=Grade.objects.get(scale__slug="ofsted-four", code="good"),
    )
    audit_submit(audit=audit, by=p.auditor)


def test_a_calibration_audit_is_an_exercise_and_needs_no_actions(p: Personas) -> None:
    audit = _graded(p, "inadequate", audit_type=AuditType.CALIBRATION)
    audit_submit(audit=audit, by=p.auditor)
    assert audit.status == AuditStatus.SUBMITTED


# --- the answers page ---------------------------------------------------------------------------


def _edit_url(audit: Audit) -> str:
    return reverse("audits:edit", args=[audit.public_id])


def _page_data(audit: Audit, **extra: str) -> dict[str, str]:
    """What the answers page sends for the audit as it is saved, plus `extra`."""
    data = {
        "overall_grade": audit.overall_grade.code if audit.overall_grade else "",
        "strengths": audit.strengths,
        "areas_for_development": audit.areas_for_development,
        "impact_on_child": audit.impact_on_child,
    }
    for answer in audit.answers.select_related("grade"):
        q = answer.question_id
        data[f"q{q}_compliance"] = answer.compliance
        data[f"q{q}_grade"] = answer.grade.code if answer.grade else ""
        data[f"q{q}_evidence"] = answer.evidence
        data[f"q{q}_no_action_reason"] = answer.no_action_reason
    return data | extra


def _action_fields(question: Question, *, owner: int, due: datetime.date) -> dict[str, str]:
    q = question.pk
    return {
        f"q{q}_action_description": "Record every visit on the day.",
        f"q{q}_action_owner": str(owner),
        f"q{q}_action_due_date-day": str(due.day),
        f"q{q}_action_due_date-month": str(due.month),
        f"q{q}_action_due_date-year": str(due.year),
    }


def test_submitting_on_the_page_shows_each_missing_action_linked_to_its_question(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    response = p.client_for(p.auditor).post(_edit_url(audit), _page_data(audit, action="submit"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    message = escape(
        f"A3 '{a3.text.rstrip('.')}' is answered No: add an action, or say why none is needed"
    )
    assert f'<a href="#id_q{a3.pk}_action_description">{message}</a>' in text
    # The action fields beside A3 are open, so the link lands on them.
    assert f'id="q{a3.pk}-action" open' in text
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS


def test_submitting_from_the_audit_page_shows_the_missing_action_on_the_answers_page(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    response = p.client_for(p.auditor).post(reverse("audits:submit", args=[audit.public_id]))
    assert response.status_code == 200
    assert response.context["form"].errors[f"q{a3.pk}_action_description"]


def test_the_auditor_adds_an_action_beside_the_question_keeping_what_they_typed(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="save", strengths="Visits are on time, now typed anew.")
    data |= _action_fields(a3, owner=p.practitioner.pk, due=NEXT_MONTH)
    client = p.client_for(p.auditor)
    response = client.post(_edit_url(audit), data)
    assert response.status_code == 302
    assert response["Location"] == _edit_url(audit) + f"#q{a3.pk}-action"
    action = Action.objects.get()
    assert action.answer == _answer(audit, "A3")
    assert (action.owner, action.due_date, action.status) == (
        p.practitioner,
        NEXT_MONTH,
        ActionStatus.OPEN,
    )
    audit.refresh_from_db()
    assert audit.strengths == "Visits are on time, now typed anew."
    page = client.get(response["Location"]).content.decode()
    assert "Draft saved, and 1 action added." in page
    assert "Action for A3 (1 added)" in page
    audit_submit(audit=audit, by=p.auditor)


def test_an_action_typed_with_the_submission_is_added_and_the_audit_submitted(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="submit")
    data |= _action_fields(a3, owner=p.team_manager.pk, due=NEXT_MONTH)
    response = p.client_for(p.auditor).post(_edit_url(audit), data)
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
    assert Action.objects.get().owner == p.team_manager


def test_an_action_without_its_owner_or_date_is_refused_and_what_was_typed_is_kept(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="save", strengths="Typed, not yet saved.")
    data[f"q{a3.pk}_action_description"] = "Record every visit on the day."
    response = p.client_for(p.auditor).post(_edit_url(audit), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[f"q{a3.pk}_action_owner"] == ["Select who owns the action for A3"]
    assert errors[f"q{a3.pk}_action_due_date"] == ["Enter when the action for A3 is due"]
    text = response.content.decode()
    assert "Record every visit on the day.</textarea>" in text
    assert "Typed, not yet saved.</textarea>" in text
    assert not Action.objects.exists()


def test_an_action_due_in_the_past_is_refused_on_its_date(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="save")
    data |= _action_fields(a3, owner=p.practitioner.pk, due=YESTERDAY)
    response = p.client_for(p.auditor).post(_edit_url(audit), data)
    assert response.context["form"].errors[f"q{a3.pk}_action_due_date"] == [
        "The due date of the action for A3 must be today or in the future"
    ]
    assert not Action.objects.exists()


def test_an_action_for_an_unanswered_question_is_refused(p: Personas) -> None:
    audit = planned_audit(p)
    a1 = _question(audit, "A1")
    data = {"action": "save"} | _action_fields(a1, owner=p.practitioner.pk, due=NEXT_MONTH)
    response = p.client_for(p.auditor).post(_edit_url(audit), data)
    assert response.context["form"].errors[f"q{a1.pk}_action_description"] == [
        "Answer A1 before you add an action for it"
    ]
    assert not Action.objects.exists()


def test_an_action_added_before_a_refused_submission_is_not_added_twice(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="submit", strengths="")
    data |= _action_fields(a3, owner=p.practitioner.pk, due=NEXT_MONTH)
    client = p.client_for(p.auditor)
    response = client.post(_edit_url(audit), data)
    assert response.status_code == 200
    assert response.context["form"].errors["strengths"]
    assert Action.objects.count() == 1
    # The page shown again no longer carries the action that was added...
    assert "Record every visit on the day.</textarea>" not in response.content.decode()
    assert "Action for A3 (1 added)" in response.content.decode()
    # ...so sending it again, as shown, adds nothing more.
    client.post(_edit_url(audit), _page_data(audit, action="submit", strengths="Now typed."))
    assert Action.objects.count() == 1
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_the_auditor_records_why_no_action_is_needed_on_the_page(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="submit")
    data[f"q{a3.pk}_no_action_reason"] = "Recorded while I audited."
    response = p.client_for(p.auditor).post(_edit_url(audit), data)
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
    page = p.client_for(p.practitioner).get(reverse("audits:detail", args=[audit.public_id]))
    assert "No action needed: Recorded while I audited." in page.content.decode()


def test_the_answers_page_offers_an_owner_from_the_audits_team_only(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="save")
    data |= _action_fields(a3, owner=p.outsider.pk, due=NEXT_MONTH)
    response = p.client_for(p.auditor).post(_edit_url(audit), data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"q{a3.pk}_action_owner"]
    assert not Action.objects.exists()


def test_a_calibration_audits_answers_page_asks_for_no_actions(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.CALIBRATION)
    page = p.client_for(p.auditor).get(_edit_url(audit)).content.decode()
    assert "Action for D1" not in page
    assert "Action for" not in page


def test_the_answers_page_says_which_grades_need_an_action(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.THEMATIC)
    page = p.client_for(p.auditor).get(_edit_url(audit)).content.decode()
    assert "A grade of Requires improvement or Inadequate needs an action" in page


def test_full_answers_gives_a_reason_only_where_one_is_needed(p: Personas) -> None:
    audit = planned_audit(p)
    answers = full_answers(audit, compliance=ComplianceAnswer.YES)
    assert not any(a.no_action_reason for a in answers.values())


def test_an_owner_who_has_left_is_refused_on_the_page_and_nothing_is_added(p: Personas) -> None:
    audit = _answered_with_a_no(p)
    a3 = _question(audit, "A3")
    data = _page_data(audit, action="save")
    data |= _action_fields(a3, owner=p.practitioner.pk, due=NEXT_MONTH)
    p.practitioner.is_active = False
    p.practitioner.save(update_fields=["is_active"])
    response = p.client_for(p.auditor).post(_edit_url(audit), data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"q{a3.pk}_action_owner"]
    assert not Action.objects.exists()


def test_actions_beside_questions_are_added_all_or_none_naming_the_refused_question(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p, "A3")
    audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers={_question(audit, "A5").pk: AnswerInput(compliance="no", evidence="Not seen.")},
        **_findings(audit),
    )
    p.team_manager.is_active = False
    p.team_manager.save(update_fields=["is_active"])
    given = [
        FindingAction(_question(audit, "A3").pk, "Record visits.", p.practitioner, NEXT_MONTH),
        FindingAction(_question(audit, "A5").pk, "Supervise.", p.team_manager, NEXT_MONTH),
    ]
    with pytest.raises(Refused) as refused:
        finding_actions_create(audit=audit, by=p.auditor, actions=given)
    assert refused.value.message == (
        "The action for A5 was not added. Mary Manager is no longer an active member of staff."
    )
    assert not Action.objects.exists()


def test_an_action_for_a_question_not_yet_answered_is_refused_by_the_service(
    p: Personas,
) -> None:
    audit = _answered_with_a_no(p)
    Answer.objects.filter(audit=audit, question__code="A1").delete()
    given = [FindingAction(_question(audit, "A1").pk, "Visit.", p.practitioner, NEXT_MONTH)]
    with pytest.raises(Refused, match="Answer each question before you add an action for it"):
        finding_actions_create(audit=audit, by=p.auditor, actions=given)


def test_the_migration_gives_a_council_the_default_grades_needing_an_action(p: Personas) -> None:
    """An existing council's scales: the shipped ones get the defaults, one of its own has its
    inadequate grades need an action (an audit lead can widen that on the scale's page)."""
    own = grading_scale_create(name="Three-point scale", by=p.moderator)
    grade_add(scale=own, code="weak", label="Weak", value=1, is_inadequate=True, by=None)
    grade_add(scale=own, code="fair", label="Fair", value=2, is_inadequate=False, by=None)
    Grade.objects.update(needs_action=False)
    folder = Path(migrations.__file__).parent
    [path] = folder.glob("*_grade_needs_action_and_sign_off_label.py")
    migration = importlib.import_module(f"{migrations.__name__}.{path.stem}")
    migration.set_needs_action(django_apps, None)
    needing = set(Grade.objects.filter(needs_action=True).values_list("scale__slug", "code"))
    assert needing == {
        ("ofsted-four", "requires_improvement"),
        ("ofsted-four", "inadequate"),
        *(("scaling-0-10", str(n)) for n in range(6)),
        (own.slug, "weak"),
    }
