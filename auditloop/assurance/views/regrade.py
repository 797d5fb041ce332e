"""The moderation page (the blind regrade, the grades side by side, agreeing them, a disagreement
and its decision) and an audit's grade history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.assurance.access.regrade import (
    DECIDER_RULE,
    can_confirm_agreement,
    can_decide,
    can_record_agreement,
    can_regrade,
    can_say_cannot_agree,
    get_audit_for_grade_history,
    get_moderation_for_user,
    is_moderator,
    moderation_deciders,
    sees_moderation_workings,
)
from auditloop.assurance.forms.regrade import (
    AgreementForm,
    CannotAgreeForm,
    ConfirmForm,
    DecisionForm,
    RegradeForm,
)
from auditloop.assurance.models import Moderation, ModerationStatus
from auditloop.assurance.selectors.regrade import (
    GradeComparison,
    audit_evidence,
    deep_dive_participants,
    grade_comparison,
    graded_questions,
    moderation_of,
    scale_grades,
)
from auditloop.assurance.services.regrade import (
    GradesIncomplete,
    moderation_agreement_confirm,
    moderation_agreement_record,
    moderation_decide,
    moderation_escalate,
    moderation_regrade,
)
from auditloop.audits.access.audits import (
    audit_visibility_filter,
    grades_hidden_from,
)
from auditloop.audits.models import Audit, AuditType, Grade
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message

# After the regrade: the grades are compared, agreed, disputed or settled.
COMPARED = frozenset(
    {
        ModerationStatus.AGREEING,
        ModerationStatus.AGREED,
        ModerationStatus.ESCALATED,
        ModerationStatus.DECIDED,
    }
)


def _agreement_initial(comparison: GradeComparison) -> dict[int | None, Grade | None]:
    """The agreed grades recorded so far, else the grade both gave where they gave the same."""
    initial: dict[int | None, Grade | None] = {}
    for row in comparison.all_rows:
        key = row.question.pk if row.question is not None else None
        if row.proposed is not None:
            initial[key] = row.proposed
        elif not row.differs:
            initial[key] = row.moderator
    return initial


def _agreement_form(
    comparison: GradeComparison, grades: list[Grade], data: Any = None
) -> AgreementForm:
    """The agreed grades: a reason is needed overall and wherever the two grades differed."""
    return AgreementForm(
        data,
        questions=[r.question for r in comparison.rows if r.question is not None],
        grades=grades,
        initial_grades=_agreement_initial(comparison),
        reason_needed=[r.question.pk for r in comparison.rows if r.question and r.differs],
    )


def _decision_form(
    comparison: GradeComparison, grades: list[Grade], data: Any = None
) -> DecisionForm:
    """A grade and a reason for each question in dispute, and overall."""
    disputed = [r.question for r in comparison.disputed if r.question is not None]
    return DecisionForm(
        data, questions=disputed, grades=grades, reason_needed=[q.pk for q in disputed]
    )


def _forms(
    request: StaffRequest,
    moderation: Moderation,
    comparison: GradeComparison | None,
    grades: list[Grade],
    bound: dict[str, Any],
) -> dict[str, Any]:
    """The forms this person may use at this step: the one they posted (bound, with its errors),
    the others fresh."""
    staff = request.staff
    audit = moderation.audit
    names = ("regrade_form", "agreement_form", "confirm_form", "disagree_form", "decision_form")
    out: dict[str, Any] = dict.fromkeys(names)
    if can_regrade(staff, moderation):
        out["regrade_form"] = bound.get("regrade") or RegradeForm(
            questions=graded_questions(audit), grades=grades
        )
    if comparison is None:
        return out
    if can_record_agreement(staff, moderation):
        out["agreement_form"] = bound.get("agreement") or _agreement_form(comparison, grades)
    if can_confirm_agreement(staff, moderation) and moderation.proposed_at is not None:
        out["confirm_form"] = ConfirmForm(initial={"seen": moderation.proposed_at.isoformat()})
    if can_say_cannot_agree(staff, moderation):
        out["disagree_form"] = bound.get("disagree") or CannotAgreeForm()
    if can_decide(staff, moderation):
        out["decision_form"] = bound.get("decision") or _decision_form(comparison, grades)
    return out


def _render(request: StaffRequest, moderation: Moderation, **bound: Any) -> HttpResponse:
    staff = request.staff
    audit = moderation.audit
    # The one rule of the blind, as every page asks it.
    blind = grades_hidden_from(staff, audit)
    audit.grades_hidden = blind
    grades = scale_grades(audit)
    compared = moderation.status in COMPARED and not blind
    workings = sees_moderation_workings(staff, moderation)
    comparison = grade_comparison(moderation, with_notes=workings) if compared else None
    deciders = (
        moderation_deciders(moderation)
        if moderation.status in {ModerationStatus.AGREEING, ModerationStatus.ESCALATED}
        else None
    )
    audit_readable = Audit.objects.filter(audit_visibility_filter(staff), pk=audit.pk).exists()
    forms = _forms(request, moderation, comparison, grades, bound)
    evidence = audit_evidence(audit, with_grades=not blind)
    if forms["regrade_form"] is not None:
        # Each question's grade is given beside its evidence.
        fields = {f.question.pk: f for f in forms["regrade_form"].rows() if f.question}
        for block in evidence:
            for row in block.rows:
                row.fields = fields.get(row.question.pk)
    context: dict[str, Any] = {
        "moderation": moderation,
        "audit": audit,
        "case": audit.case,
        "blind": blind,
        "sees_workings": workings and not blind,
        "evidence": evidence,
        "participants": (
            deep_dive_participants(audit) if audit.audit_type == AuditType.DEEP_DIVE else []
        ),
        "is_deep_dive": audit.audit_type == AuditType.DEEP_DIVE,
        "comparison": comparison,
        "deciders": deciders,
        "decider_rule": DECIDER_RULE,
        "audit_url": reverse("audits:detail", args=[audit.public_id]) if audit_readable else "",
        "has_errors": any(form.errors for form in bound.values() if form is not None),
        **forms,
    }
    return render(request, "assurance/regrade/detail.html", context)


@any_staff
def moderation_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    moderation = get_moderation_for_user(request.user, public_id)
    return _render(request, moderation)


def _done(request: StaffRequest, moderation: Moderation, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("assurance:moderation_detail", public_id=moderation.public_id)


@any_staff
@require_POST
def moderation_regrade_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    moderation = get_moderation_for_user(request.user, public_id)
    if not can_regrade(request.staff, moderation):
        raise PermissionDenied("Only the moderator regrades this audit, once.")
    audit = moderation.audit
    form = RegradeForm(request.POST, questions=graded_questions(audit), grades=scale_grades(audit))
    if form.is_valid():
        try:
            moderation_regrade(
                moderation=moderation,
                by=request.staff,
                grades=form.given_grades(),
                overall=form.given_overall(),
            )
        except GradesIncomplete as exc:
            form.add_missing(exc.missing)
        except Refused as exc:
            if not is_moderator(request.staff, moderation):
                # Given to someone else since the page was read: the moderation is no longer
                # theirs to see, blind or not. Their own list says why.
                refusal_to_message(request, exc)
                return redirect("assurance:moderation_mine")
            refusal_to_form(form, exc)
        else:
            return _done(
                request,
                moderation,
                "Your grades are saved. The auditor's grades are now shown beside yours.",
            )
    return _render(request, moderation, regrade=form)


@any_staff
@require_POST
def moderation_agree_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    moderation = get_moderation_for_user(request.user, public_id)
    if not can_record_agreement(request.staff, moderation):
        raise PermissionDenied("Only the moderator records the agreed grades.")
    audit = moderation.audit
    form = _agreement_form(grade_comparison(moderation), scale_grades(audit), request.POST)
    if form.is_valid():
        try:
            moderation_agreement_record(
                moderation=moderation,
                by=request.staff,
                grades=form.given_grades(),
                overall=form.given_overall(),
            )
        except GradesIncomplete as exc:
            form.add_missing(exc.missing)
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            return _done(
                request,
                moderation,
                f"Agreed grades recorded. {audit.auditor.name} has been asked to confirm them.",
            )
    return _render(request, moderation, agreement=form)


@any_staff
@require_POST
def moderation_confirm_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    moderation = get_moderation_for_user(request.user, public_id)
    if not can_confirm_agreement(request.staff, moderation):
        raise PermissionDenied("Only the auditor confirms the agreed grades.")
    form = ConfirmForm(request.POST)
    form.is_valid()
    seen = form.seen_at()
    try:
        if seen is None:
            raise Refused("Read the agreed grades again before you confirm them.")
        moderation_agreement_confirm(moderation=moderation, by=request.staff, proposed_at_seen=seen)
    except Refused as exc:
        refusal_to_message(request, exc)
        return redirect("assurance:moderation_detail", public_id=moderation.public_id)
    return _done(request, moderation, "Agreed grades confirmed. They now count for this audit.")


@any_staff
@require_POST
def moderation_cannot_agree_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    moderation = get_moderation_for_user(request.user, public_id)
    if not can_say_cannot_agree(request.staff, moderation):
        raise PermissionDenied("Only the moderator or the auditor can say they cannot agree.")
    form = CannotAgreeForm(request.POST)
    if form.is_valid():
        try:
            moderation_escalate(
                moderation=moderation, by=request.staff, reason=form.cleaned_data["reason"]
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            return _done(request, moderation, "Sent to be decided. They have been told.")
    return _render(request, moderation, disagree=form)


@any_staff
@require_POST
def moderation_decide_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    moderation = get_moderation_for_user(request.user, public_id)
    if not can_decide(request.staff, moderation):
        raise PermissionDenied("You cannot decide this disagreement.")
    form = _decision_form(
        grade_comparison(moderation), scale_grades(moderation.audit), request.POST
    )
    if form.is_valid():
        try:
            moderation_decide(
                moderation=moderation,
                by=request.staff,
                grades=form.given_grades(),
                overall=form.given_overall(),
            )
        except GradesIncomplete as exc:
            form.add_missing(exc.missing)
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            return _done(
                request, moderation, "Decision recorded. The auditor and moderator have been told."
            )
    return _render(request, moderation, decision=form)


@any_staff
def grade_history(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The audit's grades per question and overall: the auditor's, the moderator's and the
    agreed or decided one, with who, when and why. For whoever may read the audit or its
    moderation (`get_audit_for_grade_history`), never its moderator's grades while they
    regrade blind; the read is logged."""
    staff = request.staff
    audit, readable = get_audit_for_grade_history(request.user, public_id)
    found = moderation_of(audit)
    moderation = None if audit.grades_hidden else found
    comparison = None
    if moderation is not None:
        moderation.audit = audit
        comparison = grade_comparison(
            moderation, with_notes=sees_moderation_workings(staff, moderation)
        )
    return render(
        request,
        "assurance/regrade/grade_history.html",
        {
            "audit": audit,
            "audit_readable": readable,
            "moderation": moderation,
            "comparison": comparison,
            "auditor_rows": [] if audit.grades_hidden or moderation else _auditor_rows(audit),
            "is_moderator": found is not None and found.moderator_id == staff.pk,
            "blind_moderation": found if audit.grades_hidden else None,
        },
    )


def _auditor_rows(audit: Audit) -> list[tuple[str, Grade | None]]:
    """An audit nobody has moderated: its auditor's grades, per graded question and overall."""
    grades = {a.question_id: a.grade for a in audit.answers.select_related("grade")}
    return [(f"{q.code} {q.text}", grades.get(q.pk)) for q in graded_questions(audit)]


urlpatterns = [
    path("moderation/<uuid:public_id>/", moderation_detail, name="moderation_detail"),
    path(
        "moderation/<uuid:public_id>/regrade/", moderation_regrade_view, name="moderation_regrade"
    ),
    path("moderation/<uuid:public_id>/agree/", moderation_agree_view, name="moderation_agree"),
    path(
        "moderation/<uuid:public_id>/confirm/", moderation_confirm_view, name="moderation_confirm"
    ),
    path(
        "moderation/<uuid:public_id>/cannot-agree/",
        moderation_cannot_agree_view,
        name="moderation_cannot_agree",
    ),
    path("moderation/<uuid:public_id>/decide/", moderation_decide_view, name="moderation_decide"),
    path("moderation/grades/<uuid:public_id>/", grade_history, name="grade_history"),
]
