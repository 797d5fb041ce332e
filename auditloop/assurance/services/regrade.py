"""The blind regrade through to the agreed grade: the moderator regrades every graded question
and overall without seeing the auditor's grades; both sets are then compared; the moderator
records the agreed grades after meeting the auditor and the auditor confirms them, or either
says they cannot agree and the head of service decides. The agreed (or decided) grades are
written to the audit beside the auditor's (`Answer.agreed_grade`, `Audit.agreed_overall_grade`),
never over them; the moderator's stay on the moderation.

Each step is one transaction writing one event row (content named, never copied)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.assurance.access.regrade import (
    can_decide,
    is_auditor,
    is_moderator,
    moderation_deciders,
    moderator_not_independent,
    part_of_moderation,
)
from auditloop.assurance.models import Moderation, ModerationStatus, ModeratorGrade
from auditloop.assurance.rules.regrade import in_dispute, moderation_move_refusal
from auditloop.assurance.selectors.regrade import graded_questions
from auditloop.assurance.services.revisits import revisit_schedule_after_agreement
from auditloop.audits.models import Answer, Audit, Grade, Question
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send


@dataclass(frozen=True)
class GradeGiven:
    """A grade for one question (or overall) as given on a form, with its note or reason."""

    grade: Grade | None
    text: str = ""


@dataclass(frozen=True)
class Missing:
    """One thing a step needs and was not given: `key` is the question's id, or None for the
    overall grade; `field` is "grade" or the text's name."""

    key: int | None
    field: str
    message: str


class GradesIncomplete(Refused):
    """A step refused because grades or reasons are missing. All or nothing: nothing is saved.
    It names each question, and carries the list, so that the page can put each on its field."""

    def __init__(self, doing: str, missing: list[Missing]) -> None:
        listed = "; ".join(m.message for m in missing)
        super().__init__(f"{doing}: {listed}.")
        self.missing = missing


def moderation_url(moderation: Moderation) -> str:
    return reverse("assurance:moderation_detail", kwargs={"public_id": moderation.public_id})


def _where(audit: Audit) -> str:
    """Which audit, in words safe for an email: never the child's ID."""
    team = audit.team.name if audit.team is not None else "no team"
    return f"the {audit.get_audit_type_display().lower()} audit of a case in {team}"


def escalated_message(audit: Audit) -> str:
    """What whoever decides a disagreement is told when it is escalated (never the child's ID)."""
    return (
        f"The moderator and the auditor of {_where(audit)} cannot agree its grades. "
        "Decide each grade in dispute and the overall grade, with your reasons."
    )


def _locked(moderation: Moderation) -> Moderation:
    """Lock the moderation's row and take, under the lock, everything a step's checks read that
    someone else could have changed since the caller read it: its status, its moderator (an
    audit lead may give it to someone else while it is regraded), when the agreed grades were
    recorded, and the audit's status, case, practitioner and team's service (the independence
    rule and the choice of decider read them). One query. Every step locks first and only then
    asks who may act, so that two people taking a step at once cannot both succeed, and a
    moderator replaced between reading the page and saving cannot act."""
    current = (
        Moderation.objects.select_for_update(of=("self",))
        .select_related(
            "moderator",
            "audit__case__allocated_worker",
            "audit__practitioner",
            "audit__team__service__head_of_service",
        )
        .get(pk=moderation.pk)
    )
    moderation.status = current.status
    moderation.proposed_at = current.proposed_at
    moderation.moderator = current.moderator
    audit, now = moderation.audit, current.audit
    audit.status = now.status
    audit.case = now.case
    audit.practitioner = now.practitioner
    audit.team = now.team
    return moderation


def _refuse_unless_moves(moderation: Moderation, to: str) -> None:
    if refusal := moderation_move_refusal(moderation.status, to):
        raise Refused(refusal)


def _check_grade(grade: Grade | None, audit: Audit, what: str) -> None:
    if grade is not None and grade.scale_id != audit.tool_version.grading_scale_id:
        raise Refused(f"The grade for {what} is not on this audit tool's grading scale.")


def _move(moderation: Moderation, to: str, fields: list[str]) -> dict[str, str]:
    """Set the new status (saved with `fields`); the before snapshot for the event."""
    before = snapshot(moderation, ["status"])
    moderation.status = to
    moderation.save(update_fields=["status", *fields])
    return before


@transaction.atomic
def moderation_regrade(
    *,
    moderation: Moderation,
    by: StaffMember,
    grades: Mapping[int, GradeGiven],
    overall: GradeGiven,
) -> Moderation:
    """The moderator's own grades, given blind: one for every graded question of the audit's
    tool (by question id, each with an optional note) and one overall (with notes). All or
    nothing: refused, naming each question without a grade, unless every one has one. Then the
    auditor's and the moderator's grades are shown side by side and the auditor is told."""
    audit = moderation.audit
    _locked(moderation)
    if not is_moderator(by, moderation):
        raise Refused(
            "Only the moderator given this audit can regrade it: an audit lead may have given "
            "it to someone else."
        )
    _refuse_unless_moves(moderation, ModerationStatus.AGREEING)
    if not audit.is_shared:
        raise Refused(
            "The audit has been returned to its auditor: regrade it once it is submitted again."
        )
    if why := moderator_not_independent(by, moderation):
        raise Refused(
            f"You cannot moderate this audit: {why}. Ask an audit lead to give it to someone else."
        )
    questions = graded_questions(audit)
    missing = [
        Missing(q.pk, "grade", f"give a grade for {q.code} {q.text}")
        for q in questions
        if grades.get(q.pk, GradeGiven(None)).grade is None
    ]
    if overall.grade is None:
        missing.append(Missing(None, "grade", "give an overall grade"))
    if missing:
        raise GradesIncomplete("Your regrade cannot be saved yet", missing)
    for q in questions:
        _check_grade(grades[q.pk].grade, audit, q.code)
    _check_grade(overall.grade, audit, "the overall judgement")
    ModeratorGrade.objects.filter(moderation=moderation).delete()
    ModeratorGrade.objects.bulk_create(
        ModeratorGrade(
            moderation=moderation,
            question=q,
            grade=grades[q.pk].grade,
            notes=grades[q.pk].text.strip(),
        )
        for q in questions
    )
    moderation.moderator_overall_grade = overall.grade
    moderation.moderator_notes = overall.text.strip()
    moderation.regraded_at = timezone.now()
    before = _move(
        moderation,
        ModerationStatus.AGREEING,
        ["moderator_overall_grade", "moderator_notes", "regraded_at"],
    )
    event_record(
        actor=actor_login(by),
        verb="moderation.regraded",
        target=moderation,
        summary=f"Audit regraded blind by its moderator, {by.name}.",
        before=before,
        after={**snapshot(moderation, ["status", "regraded_at"]), "questions": len(questions)},
        content_changed=["grades", "moderator_overall_grade", "moderator_notes"],
    )
    notification_send(
        recipients=[audit.auditor],
        message=(
            f"{by.name} has regraded {_where(audit)} that you did. Meet them to agree the grades: "
            "both sets are side by side on the moderation page."
        ),
        url=moderation_url(moderation),
        email_subject="Your audit has been moderated: agree the grades",
    )
    return moderation


def _given_grades(moderation: Moderation) -> dict[int, ModeratorGrade]:
    return {
        g.question_id: g
        for g in ModeratorGrade.objects.filter(moderation=moderation).select_related(
            "grade", "proposed_grade"
        )
    }


def _auditor_grades(audit: Audit) -> dict[int, Answer]:
    return {a.question_id: a for a in Answer.objects.filter(audit=audit).select_related("grade")}


def _check_settled_grades(
    *,
    doing: str,
    audit: Audit,
    questions: list[Question],
    grades: Mapping[int, GradeGiven],
    overall: GradeGiven,
    reason_needed: Mapping[int, bool],
) -> None:
    """Refuse, naming each, unless every question in `questions` and overall has a grade on the
    audit's scale, and a reason where `reason_needed` (always overall)."""
    missing: list[Missing] = []
    for q in questions:
        given = grades.get(q.pk, GradeGiven(None))
        if given.grade is None:
            missing.append(Missing(q.pk, "grade", f"choose the grade for {q.code} {q.text}"))
        if reason_needed.get(q.pk) and not given.text.strip():
            missing.append(
                Missing(q.pk, "reason", f"give the reason for the grade for {q.code} {q.text}")
            )
    if overall.grade is None:
        missing.append(Missing(None, "grade", "choose the overall grade"))
    if not overall.text.strip():
        missing.append(Missing(None, "reason", "give the reason for the overall grade"))
    if missing:
        raise GradesIncomplete(doing, missing)
    for q in questions:
        _check_grade(grades[q.pk].grade, audit, q.code)
    _check_grade(overall.grade, audit, "the overall judgement")


def _refuse_unless_agreeing(moderation: Moderation) -> None:
    if moderation.status != ModerationStatus.AGREEING:
        where = str(ModerationStatus(moderation.status).label).lower()
        raise Refused(
            "The agreed grades are recorded while the moderator and the auditor agree them; "
            f"this moderation is at '{where}'."
        )


@transaction.atomic
def moderation_agreement_record(
    *,
    moderation: Moderation,
    by: StaffMember,
    grades: Mapping[int, GradeGiven],
    overall: GradeGiven,
) -> Moderation:
    """After meeting the auditor, the moderator records the agreed grade of every graded question
    (by question id) and overall, with reasons: always overall, and for each question where the
    auditor's, the moderator's and the agreed grade are not all the same. All or nothing. The
    auditor is asked to confirm them; until they do, the grades count for nothing and the
    moderator may record them again."""
    audit = moderation.audit
    _locked(moderation)
    if not is_moderator(by, moderation):
        raise Refused("Only the moderator can record the agreed grades.")
    _refuse_unless_agreeing(moderation)
    questions = graded_questions(audit)
    mine = _given_grades(moderation)
    theirs = _auditor_grades(audit)

    def graded(qid: int) -> tuple[Grade | None, Grade | None]:
        answer, given = theirs.get(qid), mine.get(qid)
        return (answer.grade if answer else None, given.grade if given else None)

    _check_settled_grades(
        doing="The agreed grades cannot be recorded yet",
        audit=audit,
        questions=questions,
        grades=grades,
        overall=overall,
        # A reason wherever the auditor's, the moderator's and the agreed grade differ.
        reason_needed={
            q.pk: in_dispute(*graded(q.pk), grades.get(q.pk, GradeGiven(None)).grade)
            for q in questions
        },
    )
    rows = []
    for q in questions:
        row = mine.get(q.pk)
        if row is None:
            raise Refused(f"{q.code} was not regraded: regrade it first.")
        row.proposed_grade = grades[q.pk].grade
        row.agreed_reason = grades[q.pk].text.strip()
        rows.append(row)
    ModeratorGrade.objects.bulk_update(rows, ["proposed_grade", "agreed_reason"])
    moderation.proposed_overall_grade = overall.grade
    moderation.agreed_reason = overall.text.strip()
    moderation.proposed_at = timezone.now()
    moderation.save(update_fields=["proposed_overall_grade", "agreed_reason", "proposed_at"])
    event_record(
        actor=actor_login(by),
        verb="moderation.agreement_recorded",
        target=moderation,
        summary=f"Agreed grades recorded by the moderator, {by.name}, for the auditor to confirm.",
        after=snapshot(moderation, ["status", "proposed_at"]),
        content_changed=["proposed_grades", "proposed_overall_grade", "agreed_reason"],
    )
    notification_send(
        recipients=[audit.auditor],
        message=(
            f"{by.name} has recorded the grades you agreed for {_where(audit)}. Confirm them, "
            "or say that you cannot agree."
        ),
        url=moderation_url(moderation),
        email_subject="Confirm the grades agreed at moderation",
    )
    return moderation


@transaction.atomic
def moderation_agreement_confirm(
    *,
    moderation: Moderation,
    by: StaffMember,
    proposed_at_seen: datetime.datetime | None = None,
) -> Moderation:
    """The auditor confirms the agreed grades the moderator recorded: they are written to the
    audit beside the auditor's own (`Answer.agreed_grade`, `Audit.agreed_overall_grade`) and
    count from now on. `proposed_at_seen` is when the grades the auditor read were recorded:
    refused if the moderator has recorded them again since."""
    audit = moderation.audit
    _locked(moderation)
    if not is_auditor(by, moderation):
        raise Refused("Only the auditor who did the audit can confirm the agreed grades.")
    _refuse_unless_moves(moderation, ModerationStatus.AGREED)
    if moderation.proposed_at is None:
        raise Refused("The moderator has not recorded the agreed grades yet.")
    if proposed_at_seen is not None and proposed_at_seen != moderation.proposed_at:
        raise Refused(
            "The moderator has recorded the agreed grades again since you opened the page. "
            "Read them again before you confirm."
        )
    mine = _given_grades(moderation)
    moderation.refresh_from_db(fields=["proposed_overall_grade"])
    answers = list(Answer.objects.filter(audit=audit, question_id__in=list(mine)))
    for answer in answers:
        answer.agreed_grade = mine[answer.question_id].proposed_grade
    Answer.objects.bulk_update(answers, ["agreed_grade"])
    audit.agreed_overall_grade = moderation.proposed_overall_grade
    audit.save(update_fields=["agreed_overall_grade"])
    moderation.agreed_at = timezone.now()
    before = _move(moderation, ModerationStatus.AGREED, ["agreed_at"])
    event_record(
        actor=actor_login(by),
        verb="moderation.agreed",
        target=moderation,
        summary=f"Agreed grades confirmed by the auditor, {by.name}, and written to the audit.",
        before=before,
        after=snapshot(moderation, ["status", "agreed_at"]),
        content_changed=["agreed_grades", "agreed_overall_grade"],
    )
    _after_grade_agreed(moderation, by)
    return moderation


@transaction.atomic
def moderation_escalate(*, moderation: Moderation, by: StaffMember, reason: str) -> Moderation:
    """The moderator or the auditor says they cannot agree, and why: the disagreement goes to
    whoever decides it (`moderation_deciders`), who is told. Refused when nobody can decide."""
    audit = moderation.audit
    _locked(moderation)
    if not (is_moderator(by, moderation) or is_auditor(by, moderation)):
        raise Refused("Only the moderator or the auditor can say that they cannot agree.")
    _refuse_unless_moves(moderation, ModerationStatus.ESCALATED)
    reason = reason.strip()
    if not reason:
        raise Refused("Say why you cannot agree.", field="reason")
    deciders = moderation_deciders(moderation)
    if not deciders.staff:
        raise Refused(deciders.rule)
    moderation.escalation_reason = reason
    moderation.escalated_by = by
    moderation.escalated_at = timezone.now()
    before = _move(
        moderation,
        ModerationStatus.ESCALATED,
        ["escalation_reason", "escalated_by", "escalated_at"],
    )
    event_record(
        actor=actor_login(by),
        verb="moderation.escalated",
        target=moderation,
        summary=f"{by.name} cannot agree the grades: sent to be decided.",
        before=before,
        after={
            **snapshot(moderation, ["status", "escalated_at"]),
            "escalated_by": str(by.public_id),
            "deciders": [str(s.public_id) for s in deciders.staff],
        },
        content_changed=["escalation_reason"],
    )
    url = moderation_url(moderation)
    notification_send(
        recipients=deciders.staff,
        message=escalated_message(audit),
        url=url,
        email_subject="A moderation disagreement for you to decide",
    )
    other = audit.auditor if is_moderator(by, moderation) else moderation.moderator
    if other is not None:
        notification_send(
            recipients=[other],
            message=f"{by.name} said they cannot agree the grades of {_where(audit)}; it goes "
            "to be decided.",
            url=url,
        )
    return moderation


@transaction.atomic
def moderation_decide(
    *,
    moderation: Moderation,
    by: StaffMember,
    grades: Mapping[int, GradeGiven],
    overall: GradeGiven,
) -> Moderation:
    """The head of service (or the senior leader deciding instead, `moderation_deciders`)
    decides each grade in dispute (by question id) and the overall grade, each with a reason.
    All or nothing. The grades not in dispute are the one grade everyone gave. They are
    written to the audit as its agreed grades, beside the auditor's."""
    audit = moderation.audit
    _locked(moderation)
    _refuse_unless_moves(moderation, ModerationStatus.DECIDED)
    if not can_decide(by, moderation):
        why = part_of_moderation(by, moderation)
        raise Refused(
            f"You cannot decide a disagreement you are part of: you are {why}."
            if why
            else "Only the head of service (or the senior leader deciding instead) can decide "
            "this disagreement."
        )
    questions = graded_questions(audit)
    mine = _given_grades(moderation)
    theirs = _auditor_grades(audit)
    settled: dict[int, Grade | None] = {}
    disputed: list[Question] = []
    for q in questions:
        answer, given = theirs.get(q.pk), mine.get(q.pk)
        auditor = answer.grade if answer else None
        if given is None or in_dispute(auditor, given.grade, given.proposed_grade):
            disputed.append(q)
        else:
            settled[q.pk] = auditor
    _check_settled_grades(
        doing="The disagreement cannot be decided yet",
        audit=audit,
        questions=disputed,
        grades=grades,
        overall=overall,
        reason_needed={q.pk: True for q in disputed},
    )
    for q in disputed:
        settled[q.pk] = grades[q.pk].grade
        given = mine.get(q.pk)
        if given is not None:
            given.decided_reason = grades[q.pk].text.strip()
    ModeratorGrade.objects.bulk_update(
        [mine[q.pk] for q in disputed if q.pk in mine], ["decided_reason"]
    )
    answers = list(Answer.objects.filter(audit=audit, question_id__in=list(settled)))
    for answer in answers:
        answer.agreed_grade = settled[answer.question_id]
    Answer.objects.bulk_update(answers, ["agreed_grade"])
    audit.agreed_overall_grade = overall.grade
    audit.save(update_fields=["agreed_overall_grade"])
    moderation.decided_by = by
    moderation.decided_at = timezone.now()
    moderation.decided_reason = overall.text.strip()
    before = _move(
        moderation, ModerationStatus.DECIDED, ["decided_by", "decided_at", "decided_reason"]
    )
    event_record(
        actor=actor_login(by),
        verb="moderation.decided",
        target=moderation,
        summary=f"Disagreement decided by {by.name}: the grades are written to the audit.",
        before=before,
        after={
            **snapshot(moderation, ["status", "decided_at"]),
            "decided_by": str(by.public_id),
            "questions_decided": len(disputed),
        },
        content_changed=["agreed_grades", "agreed_overall_grade", "decided_reason"],
    )
    _after_grade_agreed(moderation, by)
    return moderation


def _after_grade_agreed(moderation: Moderation, by: StaffMember) -> None:
    """What follows once an audit's grades are settled, agreed (the auditor confirmed them) or
    decided (by the head of service): called by both, inside their transaction, after the
    agreed grades are written to the audit. Schedules the revisit when the settled overall grade
    is Inadequate (after the cycle's `revisit_weeks`), and tells those taking part, by email
    too."""
    audit = moderation.audit
    revisit_schedule_after_agreement(audit=audit, by=by)
    grade = audit.agreed_overall_grade
    overall = f" The overall grade is now {grade.label}." if grade is not None else ""
    url = moderation_url(moderation)
    if moderation.status == ModerationStatus.DECIDED:
        notification_send(
            recipients=[s for s in (audit.auditor, moderation.moderator) if s is not None],
            message=(
                f"{by.name} has decided the grades of {_where(audit)} that you could not "
                f"agree.{overall} The reasons are on the moderation page."
            ),
            url=url,
            email_subject="The moderation disagreement has been decided",
        )
        return
    if moderation.moderator is not None:
        notification_send(
            recipients=[moderation.moderator],
            message=f"{by.name} confirmed the grades you agreed for {_where(audit)}.{overall}",
            url=url,
            email_subject="The grades agreed at moderation are confirmed",
        )
