"""The blind regrade's services: the moderator regrades, all or nothing; they record the agreed
grades and the auditor confirms them, or either says they cannot agree and whoever decides
decides. Each step one transaction and one event; the auditor's and moderator's grades kept."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.assurance.access.regrade import moderation_deciders
from auditloop.assurance.models import Moderation, ModerationStatus, ModeratorGrade
from auditloop.assurance.selectors.regrade import graded_questions
from auditloop.assurance.services import regrade as services
from auditloop.assurance.services.moderation_samples import moderation_moderator_assign
from auditloop.assurance.services.regrade import (
    GradeGiven,
    GradesIncomplete,
    moderation_agreement_confirm,
    moderation_agreement_record,
    moderation_decide,
    moderation_escalate,
    moderation_regrade,
)
from auditloop.assurance.tests.regrade_factories import (
    agreement_recorded,
    every_grade,
    grade,
    regraded,
    regrading,
)
from auditloop.audits.models import Answer, Audit, AuditStatus, AuditType, Grade, GradingScale
from auditloop.audits.services.audits import audit_return
from auditloop.audits.tests.audit_factories import second_lead
from auditloop.cases.models import ChildCase
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def _good(moderation: Moderation) -> GradeGiven:
    return GradeGiven(grade(moderation.audit, "good"), "Fine.")


def _events(moderation: Moderation) -> list[str]:
    return list(
        Event.objects.filter(target_id=str(moderation.public_id))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def _escalated(p: Personas, moderation: Moderation | None = None) -> Moderation:
    moderation = moderation or regraded(p)
    return moderation_escalate(
        moderation=moderation, by=p.auditor, reason="I saw the child's plan improve."
    )


def _decide_all(moderation: Moderation, by: object, code: str = "requires_improvement") -> None:
    audit = moderation.audit
    first = graded_questions(audit)[0]
    moderation_decide(
        moderation=moderation,
        by=by,  # type: ignore[arg-type]
        grades={first.pk: GradeGiven(grade(audit, code), "The plan has no dates.")},
        overall=GradeGiven(grade(audit, code), "Drift since the last review."),
    )


# The regrade ---------------------------------------------------------------------------------


def test_the_moderator_regrades_every_question_and_overall_and_the_grades_are_compared(
    p: Personas,
) -> None:
    moderation = regraded(p)
    moderation.refresh_from_db()
    assert moderation.status == ModerationStatus.AGREEING
    assert moderation.regraded_at is not None
    assert moderation.moderator_overall_grade == grade(moderation.audit, "requires_improvement")
    assert moderation.moderator_notes == "Drift since the review."
    given = ModeratorGrade.objects.filter(moderation=moderation)
    assert given.count() == 8
    assert given.filter(grade__code="requires_improvement").count() == 1


def test_a_regrade_missing_grades_is_refused_naming_each_question_and_saves_nothing(
    p: Personas,
) -> None:
    moderation = regrading(p)
    grades = every_grade(moderation.audit, "good")
    d2, d5 = graded_questions(moderation.audit)[1], graded_questions(moderation.audit)[4]
    del grades[d2.pk]
    grades[d5.pk] = GradeGiven(None, "Not sure yet.")
    with pytest.raises(GradesIncomplete) as refused:
        moderation_regrade(
            moderation=moderation, by=p.moderator, grades=grades, overall=GradeGiven(None)
        )
    assert refused.value.message == (
        "Your regrade cannot be saved yet: give a grade for D2 Assessment and analysis; "
        "give a grade for D5 Management oversight and supervision; give an overall grade."
    )
    assert [(m.key, m.field) for m in refused.value.missing] == [
        (d2.pk, "grade"),
        (d5.pk, "grade"),
        (None, "grade"),
    ]
    moderation.refresh_from_db()
    assert moderation.status == ModerationStatus.REGRADING
    assert moderation.regraded_at is None
    assert not ModeratorGrade.objects.exists()
    assert _events(moderation) == []


def test_only_the_moderator_given_the_audit_can_regrade_it(p: Personas) -> None:
    moderation = regrading(p)
    for someone in (p.auditor, second_lead(p), p.senior_leader):
        with pytest.raises(Refused, match="Only the moderator given this audit"):
            moderation_regrade(
                moderation=moderation,
                by=someone,
                grades=every_grade(moderation.audit, "good"),
                overall=_good(moderation),
            )


def test_a_moderation_is_regraded_once(p: Personas) -> None:
    moderation = regraded(p)
    with pytest.raises(Refused, match="at 'agreeing a grade' cannot be regraded"):
        moderation_regrade(
            moderation=moderation,
            by=p.moderator,
            grades=every_grade(moderation.audit, "good"),
            overall=_good(moderation),
        )


def test_a_moderator_who_now_holds_the_case_cannot_regrade_it(p: Personas) -> None:
    moderation = regrading(p)
    case = moderation.audit.case
    case.allocated_worker = p.moderator
    case.save()
    with pytest.raises(Refused, match="you hold or manage the case"):
        moderation_regrade(
            moderation=moderation,
            by=p.moderator,
            grades=every_grade(moderation.audit, "good"),
            overall=_good(moderation),
        )


def test_a_moderator_replaced_between_reading_and_saving_cannot_save_their_grades(
    p: Personas,
) -> None:
    """The moderator reads the moderation; an audit lead then gives it to someone else; the
    first moderator's save, from the copy they read, is refused and changes nothing."""
    read_by_first = regrading(p, moderator=p.senior_leader)
    second = make_staff("auditor2", "Ash Second Auditor", Role.AUDITOR, p.north_b)
    moderation_moderator_assign(
        moderation=Moderation.objects.get(pk=read_by_first.pk), moderator=second, by=p.moderator
    )
    with pytest.raises(Refused, match="Only the moderator given this audit can regrade it"):
        moderation_regrade(
            moderation=read_by_first,
            by=p.senior_leader,
            grades=every_grade(read_by_first.audit, "good"),
            overall=_good(read_by_first),
        )
    current = Moderation.objects.get(pk=read_by_first.pk)
    assert (current.moderator, current.status) == (second, ModerationStatus.REGRADING)
    assert current.regraded_at is None and current.moderator_overall_grade is None
    assert not ModeratorGrade.objects.filter(moderation=current).exists()
    assert "moderation.regraded" not in _events(current)
    # The new moderator regrades blind from the start, as usual.
    moderation_regrade(
        moderation=current,
        by=second,
        grades=every_grade(current.audit, "good"),
        overall=_good(current),
    )
    assert Moderation.objects.get(pk=current.pk).status == ModerationStatus.AGREEING


def test_a_case_given_to_the_moderator_after_they_read_it_is_judged_as_it_is_when_they_save(
    p: Personas,
) -> None:
    moderation = regrading(p)
    read = Moderation.objects.select_related("audit__case__allocated_worker").get(pk=moderation.pk)
    ChildCase.objects.filter(pk=p.case.pk).update(allocated_worker=p.moderator)
    with pytest.raises(Refused, match="you hold or manage the case"):
        moderation_regrade(
            moderation=read,
            by=p.moderator,
            grades=every_grade(read.audit, "good"),
            overall=_good(read),
        )
    assert not ModeratorGrade.objects.filter(moderation=moderation).exists()


def _case_moves_to_south(p: Personas) -> None:
    """The practitioner's case moves to South A, held by the outsider: the audit keeps the
    practitioner and team whose work it judged."""
    p.case.allocated_team, p.case.allocated_worker = p.south_a, p.outsider
    p.case.save(update_fields=["allocated_team", "allocated_worker"])


def test_a_moderator_who_managed_the_work_audited_cannot_regrade_it_once_the_case_has_moved(
    p: Personas,
) -> None:
    """Mary Manager manages the practitioner whose work was audited, and North A, the audit's
    team: the case moving to South does not make her independent of the audit."""
    moderation = regrading(p, moderator=p.team_manager)
    _case_moves_to_south(p)
    with pytest.raises(Refused, match="you hold or manage the case, or did when it was audited"):
        moderation_regrade(
            moderation=moderation,
            by=p.team_manager,
            grades=every_grade(moderation.audit, "good"),
            overall=_good(moderation),
        )
    assert not ModeratorGrade.objects.filter(moderation=moderation).exists()
    assert Moderation.objects.get(pk=moderation.pk).status == ModerationStatus.REGRADING


def test_an_audit_returned_to_its_auditor_is_not_regraded_until_submitted_again(
    p: Personas,
) -> None:
    moderation = regrading(p)
    audit = moderation.audit
    audit.status = AuditStatus.IN_PROGRESS
    audit.save()
    with pytest.raises(Refused, match="returned to its auditor"):
        moderation_regrade(
            moderation=moderation,
            by=p.moderator,
            grades=every_grade(audit, "good"),
            overall=_good(moderation),
        )


def test_a_grade_from_another_scale_is_refused(p: Personas) -> None:
    moderation = regrading(p)
    other = GradingScale.objects.create(slug="other", name="Other")
    stray = Grade.objects.create(scale=other, code="good", label="Good", value=3)
    with pytest.raises(Refused, match="not on this audit tool's grading scale"):
        moderation_regrade(
            moderation=moderation,
            by=p.moderator,
            grades=every_grade(moderation.audit, "good"),
            overall=GradeGiven(stray),
        )


def test_the_auditor_is_told_when_the_regrade_is_done_without_the_childs_id(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    moderation = regrading(p)
    with django_capture_on_commit_callbacks(execute=True):
        regraded(p, moderation=moderation)
    note = Notification.objects.get(recipient=p.auditor.user)
    assert "Morgan Moderator has regraded the deep dive audit of a case in North A" in note.message
    assert note.url == f"/moderation/{moderation.public_id}/"
    (email,) = mail.outbox
    assert email.to == [p.auditor.email]
    assert email.subject == "Your audit has been moderated: agree the grades"
    assert moderation.audit.case.la_child_id not in email.body + email.subject + note.message


# Agreeing -----------------------------------------------------------------------------------


def test_the_agreed_grades_need_a_reason_overall_and_wherever_the_grades_differed(
    p: Personas,
) -> None:
    moderation = regraded(p)
    audit = moderation.audit
    d1, d2 = graded_questions(audit)[:2]
    grades = every_grade(audit, "good")
    with pytest.raises(GradesIncomplete) as refused:
        moderation_agreement_record(
            moderation=moderation,
            by=p.moderator,
            grades=grades,
            overall=GradeGiven(grade(audit, "good"), ""),
        )
    # D1 was Good and Requires improvement; D2 Good from both, agreed Good: no reason needed.
    assert [(m.key, m.field) for m in refused.value.missing] == [
        (d1.pk, "reason"),
        (None, "reason"),
    ]
    grades[d2.pk] = GradeGiven(grade(audit, "outstanding"))
    with pytest.raises(GradesIncomplete) as refused:
        moderation_agreement_record(
            moderation=moderation, by=p.moderator, grades=grades, overall=_good(moderation)
        )
    assert "give the reason for the grade for D2" in refused.value.message


def test_agreed_grades_count_only_once_the_auditor_confirms_them(p: Personas) -> None:
    moderation = agreement_recorded(p)
    audit = moderation.audit
    audit.refresh_from_db()
    assert audit.agreed_overall_grade is None
    assert not Answer.objects.filter(audit=audit, agreed_grade__isnull=False).exists()
    assert audit.grade_counted == grade(audit, "good")
    note = Notification.objects.filter(recipient=p.auditor.user).order_by("-id").first()
    assert note is not None
    assert "Confirm them, or say that you cannot agree" in note.message

    moderation_agreement_confirm(
        moderation=moderation, by=p.auditor, proposed_at_seen=moderation.proposed_at
    )
    audit.refresh_from_db()
    assert moderation.status == ModerationStatus.AGREED
    assert audit.agreed_overall_grade == grade(audit, "requires_improvement")
    assert audit.grade_counted == grade(audit, "requires_improvement")


def test_nothing_overwrites_the_auditors_or_the_moderators_grades(p: Personas) -> None:
    moderation = agreement_recorded(p, first="inadequate")
    audit = moderation.audit
    moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    audit.refresh_from_db()
    d1 = graded_questions(audit)[0]
    answer = Answer.objects.get(audit=audit, question=d1)
    assert (answer.grade.code, answer.agreed_grade.code) == ("good", "inadequate")  # type: ignore[union-attr]
    assert answer.grade_counted == grade(audit, "inadequate")
    assert audit.overall_grade == grade(audit, "good")
    mine = ModeratorGrade.objects.get(moderation=moderation, question=d1)
    assert mine.grade == grade(audit, "requires_improvement")
    moderation.refresh_from_db()
    assert moderation.moderator_overall_grade == grade(audit, "requires_improvement")
    # Every graded answer carries its agreed grade, the same as the auditor's or not.
    assert Answer.objects.filter(audit=audit, agreed_grade__isnull=False).count() == 8


def test_only_the_auditor_confirms_the_agreed_grades(p: Personas) -> None:
    moderation = agreement_recorded(p)
    for someone in (p.moderator, p.senior_leader):
        with pytest.raises(Refused, match="Only the auditor who did the audit"):
            moderation_agreement_confirm(moderation=moderation, by=someone)


def test_the_auditor_cannot_confirm_before_the_agreed_grades_are_recorded(p: Personas) -> None:
    moderation = regraded(p)
    with pytest.raises(Refused, match="has not recorded the agreed grades yet"):
        moderation_agreement_confirm(moderation=moderation, by=p.auditor)


def test_the_auditor_cannot_confirm_grades_recorded_again_since_they_read_them(
    p: Personas,
) -> None:
    moderation = agreement_recorded(p)
    read_at = moderation.proposed_at
    assert read_at is not None
    agreement_recorded(p, moderation=moderation, first="inadequate")
    with pytest.raises(Refused, match="recorded the agreed grades again since you opened"):
        moderation_agreement_confirm(moderation=moderation, by=p.auditor, proposed_at_seen=read_at)
    assert Moderation.objects.get(pk=moderation.pk).status == ModerationStatus.AGREEING


def test_the_moderator_is_told_when_the_auditor_confirms(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    moderation = agreement_recorded(p)
    with django_capture_on_commit_callbacks(execute=True):
        moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    note = Notification.objects.get(recipient=p.moderator.user)
    assert "Alex Auditor confirmed the grades you agreed" in note.message
    assert "The overall grade is now Requires improvement." in note.message
    assert [e.to for e in mail.outbox] == [[p.moderator.email]]


# A disagreement -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["moderator", "auditor"])
def test_either_can_say_they_cannot_agree_and_the_head_of_service_is_told(
    p: Personas, who: str, django_capture_on_commit_callbacks: Any
) -> None:
    moderation = regraded(p)
    with django_capture_on_commit_callbacks(execute=True):
        moderation_escalate(
            moderation=moderation, by=getattr(p, who), reason="We see it differently."
        )
    moderation.refresh_from_db()
    assert moderation.status == ModerationStatus.ESCALATED
    assert moderation.escalated_by == getattr(p, who)
    assert moderation.escalation_reason == "We see it differently."
    note = Notification.objects.get(recipient=p.senior_leader.user)
    assert "cannot agree its grades" in note.message
    (email,) = [e for e in mail.outbox if e.to == [p.senior_leader.email]]
    assert email.subject == "A moderation disagreement for you to decide"
    assert moderation.audit.case.la_child_id not in email.body


def test_saying_you_cannot_agree_needs_a_reason(p: Personas) -> None:
    moderation = regraded(p)
    with pytest.raises(Refused, match="Say why you cannot agree") as refused:
        moderation_escalate(moderation=moderation, by=p.auditor, reason="  ")
    assert refused.value.field == "reason"


def test_nobody_else_can_say_the_moderator_and_auditor_cannot_agree(p: Personas) -> None:
    moderation = regraded(p)
    for someone in (p.senior_leader, second_lead(p), p.practitioner):
        with pytest.raises(Refused, match="Only the moderator or the auditor"):
            moderation_escalate(moderation=moderation, by=someone, reason="No.")


def test_the_head_of_service_decides_each_grade_in_dispute_and_overall(p: Personas) -> None:
    moderation = _escalated(p)
    audit = moderation.audit
    _decide_all(moderation, p.senior_leader, code="inadequate")
    moderation.refresh_from_db()
    audit.refresh_from_db()
    assert moderation.status == ModerationStatus.DECIDED
    assert moderation.decided_by == p.senior_leader
    assert moderation.decided_reason == "Drift since the last review."
    d1 = graded_questions(audit)[0]
    assert ModeratorGrade.objects.get(moderation=moderation, question=d1).decided_reason == (
        "The plan has no dates."
    )
    counted = {a.question.code: a.grade_counted.code for a in Answer.objects.filter(audit=audit)}  # type: ignore[union-attr]
    assert counted["D1"] == "inadequate"
    # Not in dispute: the grade both gave stands as agreed.
    assert {code for q, code in counted.items() if q != "D1"} == {"good"}
    assert audit.agreed_overall_grade == grade(audit, "inadequate")
    assert audit.overall_grade == grade(audit, "good")


def test_a_decision_missing_a_grade_or_reason_in_dispute_is_refused_naming_each(
    p: Personas,
) -> None:
    moderation = _escalated(p)
    with pytest.raises(GradesIncomplete) as refused:
        moderation_decide(
            moderation=moderation,
            by=p.senior_leader,
            grades={},
            overall=GradeGiven(grade(moderation.audit, "good"), ""),
        )
    assert refused.value.message == (
        "The disagreement cannot be decided yet: choose the grade for D1 Voice and lived "
        "experience; give the reason for the grade for D1 Voice and lived experience; give "
        "the reason for the overall grade."
    )
    moderation.refresh_from_db()
    assert moderation.status == ModerationStatus.ESCALATED
    assert moderation.audit.agreed_overall_grade is None


def test_a_question_the_moderator_recorded_differently_is_in_dispute_too(p: Personas) -> None:
    moderation = agreement_recorded(p)
    audit = moderation.audit
    d2 = graded_questions(audit)[1]
    # Both gave D2 Good, but the agreed grade recorded for it was Outstanding.
    ModeratorGrade.objects.filter(moderation=moderation, question=d2).update(
        proposed_grade=grade(audit, "outstanding"), agreed_reason="Exceptional direct work."
    )
    _escalated(p, moderation)
    with pytest.raises(GradesIncomplete, match="choose the grade for D2"):
        _decide_all(moderation, p.senior_leader)


def test_both_are_told_when_the_disagreement_is_decided(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    moderation = _escalated(p)
    with django_capture_on_commit_callbacks(execute=True):
        _decide_all(moderation, p.senior_leader)
    for staff in (p.auditor, p.moderator):
        note = Notification.objects.filter(recipient=staff.user).order_by("-id").first()
        assert note is not None
        assert "Lee Leader has decided the grades" in note.message
    # One email each: nobody sees another recipient's address.
    assert sorted(address for email in mail.outbox for address in email.to) == sorted(
        [str(p.auditor.email), str(p.moderator.email)]
    )
    assert all(len(email.to) == 1 for email in mail.outbox)
    email = mail.outbox[0]
    assert email.subject == "The moderation disagreement has been decided"


def test_only_whoever_decides_may_decide(p: Personas) -> None:
    moderation = _escalated(p)
    for someone in (p.moderator, p.auditor, second_lead(p), p.team_manager):
        with pytest.raises(Refused):
            _decide_all(moderation, someone)
    assert Moderation.objects.get(pk=moderation.pk).status == ModerationStatus.ESCALATED


def test_a_head_of_service_who_moderates_the_audit_does_not_decide_it(p: Personas) -> None:
    """A senior leader over the service who is not part of it decides instead."""
    director = make_staff("director", "Dee Director", Role.SENIOR_LEADER, services=[p.north])
    moderation = regraded(p, moderation=regrading(p, moderator=p.senior_leader))
    deciders = moderation_deciders(moderation)
    assert deciders.staff == [director]
    assert "Lee Leader, is its moderator, so cannot decide" in deciders.rule
    assert deciders.rule.endswith(
        "Dee Director, a senior leader over North who is not part of it, decides instead."
    )
    _escalated(p, moderation)
    with pytest.raises(Refused, match="you are part of: you are its moderator"):
        _decide_all(moderation, p.senior_leader)
    _decide_all(moderation, director)
    assert Moderation.objects.get(pk=moderation.pk).decided_by == director


def test_a_head_of_service_who_manages_the_case_does_not_decide_it(p: Personas) -> None:
    """The independence rule that already exists (`holds_or_manages`): the case's worker's
    line manager is part of it."""
    director = make_staff("director", "Dee Director", Role.SENIOR_LEADER, services=[p.north])
    p.practitioner.manager = p.senior_leader
    p.practitioner.save()
    moderation = regraded(p)
    deciders = moderation_deciders(moderation)
    assert deciders.staff == [director]
    assert "the case's worker or one of its managers" in deciders.rule


def test_a_head_of_service_who_managed_the_work_audited_does_not_decide_once_the_case_moved(
    p: Personas,
) -> None:
    """Judged against the audit as it was too: the case has moved to South, but the head of
    service line-manages the practitioner whose work was audited."""
    director = make_staff("director", "Dee Director", Role.SENIOR_LEADER, services=[p.north])
    p.practitioner.manager = p.senior_leader
    p.practitioner.save()
    moderation = regraded(p)
    _case_moves_to_south(p)
    moderation = Moderation.objects.select_related("audit__case", "audit__practitioner").get(
        pk=moderation.pk
    )
    deciders = moderation_deciders(moderation)
    assert deciders.staff == [director]
    assert "the case's worker or one of its managers, now or when it was audited" in deciders.rule
    _escalated(p, moderation)
    with pytest.raises(Refused, match="you are part of: you are the case's worker"):
        _decide_all(moderation, p.senior_leader)
    _decide_all(moderation, director)
    assert Moderation.objects.get(pk=moderation.pk).decided_by == director


def test_with_no_head_of_service_a_senior_leader_over_the_service_decides(p: Personas) -> None:
    p.north.head_of_service = None
    p.north.save()
    moderation = regraded(p)
    deciders = moderation_deciders(moderation)
    assert deciders.staff == [p.senior_leader]
    assert deciders.rule.startswith("North has no head of service.")


def test_a_head_of_service_who_has_left_does_not_decide(p: Personas) -> None:
    director = make_staff("director", "Dee Director", Role.SENIOR_LEADER, services=[p.north])
    p.senior_leader.is_active = False
    p.senior_leader.save()
    assert moderation_deciders(regraded(p)).staff == [director]


def test_the_moderator_and_auditor_cannot_escalate_when_nobody_can_decide(p: Personas) -> None:
    p.north.head_of_service = None
    p.north.save()
    moderation = regraded(p, moderation=regrading(p, moderator=p.senior_leader))
    with pytest.raises(Refused, match="No senior leader over North can decide it either"):
        moderation_escalate(moderation=moderation, by=p.auditor, reason="We differ.")
    assert Moderation.objects.get(pk=moderation.pk).status == ModerationStatus.AGREEING


def test_a_disagreement_is_not_decided_twice(p: Personas) -> None:
    moderation = _escalated(p)
    _decide_all(moderation, p.senior_leader)
    with pytest.raises(Refused, match="cannot be decided"):
        _decide_all(moderation, p.senior_leader)


def test_once_agreed_the_grades_are_not_sent_to_be_decided(p: Personas) -> None:
    moderation = agreement_recorded(p)
    moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    with pytest.raises(Refused, match="at 'agreed' cannot be sent to the head of service"):
        moderation_escalate(moderation=moderation, by=p.moderator, reason="Changed my mind.")


# One event a step, and one place after the grades are settled --------------------------------


def test_each_step_writes_one_event_naming_the_content_it_changed_not_copying_it(
    p: Personas,
) -> None:
    moderation = agreement_recorded(p)
    moderation_escalate(moderation=moderation, by=p.moderator, reason="Secret reason 9f1.")
    _decide_all(moderation, p.senior_leader)
    assert _events(moderation) == [
        "moderation.regraded",
        "moderation.agreement_recorded",
        "moderation.escalated",
        "moderation.decided",
    ]
    named = dict(
        Event.objects.filter(target_id=str(moderation.public_id)).values_list(
            "verb", "content_changed"
        )
    )
    assert named["moderation.escalated"] == ["escalation_reason"]
    assert "agreed_overall_grade" in named["moderation.decided"]
    logged = str(list(Event.objects.values_list("summary", "before", "after")))
    for secret in ("Secret reason 9f1", "The plan has no dates", "Plan not SMART"):
        assert secret not in logged
    assert "requires_improvement" not in logged


def test_a_step_refused_half_way_writes_nothing(p: Personas) -> None:
    moderation = _escalated(p)
    with (
        mock.patch.object(services, "_after_grade_agreed", side_effect=RuntimeError("mail down")),
        pytest.raises(RuntimeError),
    ):
        _decide_all(moderation, p.senior_leader)
    moderation.refresh_from_db()
    assert moderation.status == ModerationStatus.ESCALATED
    assert moderation.audit.agreed_overall_grade is None
    assert not Answer.objects.filter(audit=moderation.audit, agreed_grade__isnull=False).exists()
    assert "moderation.decided" not in _events(moderation)


def test_the_same_hook_follows_an_agreed_grade_and_a_decided_one(p: Personas) -> None:
    """`_after_grade_agreed` is the one place the revisit is scheduled from."""
    agreed = agreement_recorded(p)
    decided = _escalated(p)
    with mock.patch.object(services, "_after_grade_agreed") as hook:
        moderation_agreement_confirm(moderation=agreed, by=p.auditor)
        _decide_all(decided, p.senior_leader, code="inadequate")
    assert [c.args[0].pk for c in hook.call_args_list] == [agreed.pk, decided.pk]
    assert [c.args[1] for c in hook.call_args_list] == [p.auditor, p.senior_leader]
    # Called once the agreed grades are on the audit, so it can read them.
    decided.audit.refresh_from_db()
    assert decided.audit.agreed_overall_grade is not None
    assert decided.audit.agreed_overall_grade.is_inadequate


def test_proposed_at_read_back_from_a_form_matches_exactly(p: Personas) -> None:
    moderation = agreement_recorded(p)
    assert moderation.proposed_at is not None
    seen = datetime.datetime.fromisoformat(moderation.proposed_at.isoformat())
    moderation_agreement_confirm(moderation=moderation, by=p.auditor, proposed_at_seen=seen)
    assert Moderation.objects.get(pk=moderation.pk).status == ModerationStatus.AGREED


def test_a_disagreement_decided_inadequate_schedules_the_audits_revisit(p: Personas) -> None:
    decided = _escalated(p)
    _decide_all(decided, p.senior_leader, code="inadequate")
    revisit = Audit.objects.get(revisit_of=decided.audit)
    assert revisit.audit_type == AuditType.REVISIT
    assert revisit.status == AuditStatus.PLANNED
    assert revisit.auditor == decided.audit.auditor
    assert revisit.due_date is not None
    assert revisit.due_date > timezone.localdate()


def test_an_agreed_grade_that_is_not_inadequate_schedules_no_revisit(p: Personas) -> None:
    agreed = agreement_recorded(p)
    moderation_agreement_confirm(moderation=agreed, by=p.auditor)
    assert agreed.audit.agreed_overall_grade is not None
    assert not agreed.audit.agreed_overall_grade.is_inadequate
    assert not Audit.objects.filter(revisit_of=agreed.audit).exists()


def test_an_agreed_inadequate_grade_schedules_the_audits_revisit_once(p: Personas) -> None:
    moderation = regraded(p, overall="inadequate")
    audit = moderation.audit
    grades = {q.pk: GradeGiven(grade(audit, "good"), "Both.") for q in graded_questions(audit)}
    grades[graded_questions(audit)[0].pk] = GradeGiven(grade(audit, "inadequate"), "Unsafe.")
    moderation_agreement_record(
        moderation=moderation,
        by=p.moderator,
        grades=grades,
        overall=GradeGiven(grade(audit, "inadequate"), "The child was not seen."),
    )
    moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    assert Audit.objects.filter(revisit_of=audit, audit_type=AuditType.REVISIT).count() == 1


def test_an_audit_chosen_for_moderation_is_not_returned_to_its_auditor(p: Personas) -> None:
    """A return would let the auditor change the grades the moderator is comparing."""
    moderation = regrading(p)
    audit = moderation.audit
    lead = second_lead(p)
    with pytest.raises(Refused, match="chosen for moderation, so it cannot be returned"):
        audit_return(audit=audit, by=lead, reason="Please add the chronology.")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
