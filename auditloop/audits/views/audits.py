"""Pages for conducting an audit: the list, planning one, reading it, answering it, and the
moves of its status machine (submit, return, complete)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.accounts.models import StaffMember
from auditloop.audits.access.actions import actions_openable, can_create_action
from auditloop.audits.access.audits import can_lead_audit, get_audit_for_user
from auditloop.audits.access.escalations import (
    can_acknowledge_on,
    can_raise_escalation,
    escalations_openable,
)
from auditloop.audits.access.feedback import can_reply_to_feedback
from auditloop.audits.access.partners import can_invite_partner
from auditloop.audits.forms.audits import (
    AuditAnswersForm,
    AuditFilterForm,
    AuditReturnForm,
    ParticipantForm,
)
from auditloop.audits.forms.escalations import EscalationAcknowledgeForm, EscalationRaiseForm
from auditloop.audits.forms.feedback import FeedbackReplyForm
from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    Escalation,
    Grade,
    Participant,
    PartnerShare,
    Question,
    QuestionKind,
    Section,
)
from auditloop.audits.rules import WRITABLE_STATUSES, audit_asks_family
from auditloop.audits.selectors.actions import actions_by_question, today
from auditloop.audits.selectors.audits import (
    AUDITS_ORDER,
    ComplianceScore,
    audit_earlier_visible,
    audit_keys_visible_to,
    audit_revisits_visible,
    audit_rows,
    audits_page_shown_to,
    in_moderation,
)
from auditloop.audits.selectors.revisits import revisit_comparison
from auditloop.audits.services.actions import finding_actions_create
from auditloop.audits.services.audits import (
    AuditIncomplete,
    audit_answers_save,
    audit_complete,
    audit_return,
    audit_submit,
    participant_add,
    participant_remove,
)
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.keptparts import part_kept, part_rendered, parts_kept
from auditloop.core.pagination import page_of_keys
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message
from auditloop.core.versions import RecordChanged, form_version_renew, form_version_set

PAGE_SIZE = 50


@any_staff
def audit_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = AuditFilterForm(request.GET or None)

    def draw() -> str:
        # A page of keys first, then those audits with their cases: never the whole case
        # table. Page links keep the filters ({% querystring %} in core/_pagination.html).
        page = page_of_keys(
            request,
            form.filter(audit_keys_visible_to(staff)),
            lambda keys: audits_page_shown_to(staff, keys),
            order=AUDITS_ORDER,
            per_page=PAGE_SIZE,
        )
        access_shown(user=request.user, targets=page, purpose=Purpose.LISTED)
        return part_rendered(
            "audits/_audit_list_table.html",
            {
                "page": page,
                "rows": audit_rows(page.object_list),
                "filtered": form.is_bound,
                "detail_url": _address_ends("audits:detail"),
            },
            request=request,
        )

    return render(
        request,
        "audits/audit_list.html",
        {
            "form": form,
            "table": part_kept("audits-list", request=request, draw=draw),
            "can_create": staff.is_audit_lead,
        },
    )


def _address_ends(name: str) -> tuple[str, str]:
    """What comes before and after the public id in the address of `name`: reversed once for
    a list, not once a row."""
    start, end = reverse(name, args=[_ANY_ID]).split(str(_ANY_ID))
    return start, end


_ANY_ID = UUID(int=0)


@dataclass
class AnsweredQuestion:
    question: Question
    answer: Answer | None
    # The grade shown: the one that counts (agreed at moderation where there is one), or None
    # while the reader is the moderator regrading blind.
    grade: Grade | None
    # The auditor's grade, where the grade that counts differs from it.
    auditor_grade: Grade | None
    # What the grade shown looks like for this question, from the tool's descriptors.
    descriptor: str


def _answered_sections(audit: Audit) -> list[tuple[Section, list[AnsweredQuestion]]]:
    answers = {a.question_id: a for a in audit.answers.select_related("grade", "agreed_grade")}
    out = []
    for section in audit.tool_version.sections.prefetch_related("questions"):
        rows = []
        for q in section.questions.all():
            answer = answers.get(q.pk)
            grade = answer.grade_counted if answer is not None and not audit.grades_hidden else None
            differs = grade is not None and answer is not None and answer.grade_id != grade.pk
            descriptor = (q.descriptors.get(grade.code) or grade.description) if grade else ""
            rows.append(
                AnsweredQuestion(
                    question=q,
                    answer=answer,
                    grade=grade,
                    auditor_grade=answer.grade if differs and answer is not None else None,
                    descriptor=descriptor,
                )
            )
        out.append((section, rows))
    return out


def _detail_parts_drawn(
    request: StaffRequest,
    audit: Audit,
    *,
    can_change_share: bool,
    can_invite_partner: bool,
    can_add_action: bool,
) -> dict[str, str]:
    """The read-only parts of an audit's page for its reader, drawn to be kept (no form): its
    name and status, the audit and its case, findings and answers, learning points; its flags,
    actions and replies. The reads they log (the earlier audit of a revisit) are kept with
    them and logged again on every show."""
    staff = request.staff
    sections = _answered_sections(audit)
    checks = [
        row.answer.compliance if row.answer else ""
        for _, rows in sections
        for row in rows
        if row.question.kind == QuestionKind.COMPLIANCE
    ]
    escalations = list(audit.escalations.select_related("raised_by", "acknowledged_by"))
    actions = list(audit.actions.select_related("owner", "answer__question"))
    context: dict[str, Any] = {
        "audit": audit,
        "case": audit.case,
        "sections": sections,
        "has_checks": bool(checks),
        "score": ComplianceScore.of(checks),
        "earlier": audit_earlier_visible(staff, audit),
        "revisits": audit_revisits_visible(staff, audit),
        "revisit": revisit_comparison(user=request.user, staff=staff, audit=audit),
        "participants": audit.participants.select_related("staff"),
        "is_deep_dive": audit.audit_type == AuditType.DEEP_DIVE,
        "asks_family": audit_asks_family(audit),
        "can_invite_partner": can_invite_partner,
        # A partner agency auditor's audit: what the lead shared with them, which the lead
        # may change.
        "partner_share": PartnerShare.objects.filter(audit=audit).first(),
        "can_change_share": can_change_share,
        "escalations": escalations,
        # Every flag and action is listed to whoever reads the audit, and linked only where
        # its own page opens for them.
        "escalations_openable": escalations_openable(staff, audit) if escalations else set(),
        "actions": actions,
        "actions_openable": actions_openable(staff, audit) if actions else set(),
        "replies": audit.replies.select_related("author"),
        "today": today(),
        "can_add_action": can_add_action,
        # The learning points' and revisit links' tags read the request's member of staff.
        "request": request,
    }
    parts = {
        part: part_rendered(template, context, request=request)
        for part, template in (
            ("top", "audits/_audit_detail_top.html"),
            ("body", "audits/_audit_detail_body.html"),
            ("escalations", "audits/partials/_escalations.html"),
            ("actions", "audits/partials/_actions.html"),
            ("replies", "audits/partials/_replies.html"),
        )
    }
    # The moderation panel (the assurance app's) is kept too, unless it holds a form: the
    # reader's own request for moderation, with its withdraw button, is then drawn on every
    # request (`_render_detail`).
    moderation = part_rendered(_MODERATION_PANEL, context, request=request)
    if "<form" not in moderation:
        parts["moderation"] = moderation
    return parts


_MODERATION_PANEL = "assurance/moderation_samples/_audit_moderation.html"


def _detail_forms(*, audit: Audit, staff: StaffMember) -> dict[str, Any]:
    """The forms of an audit's page beside its kept parts, decided and drawn on every request:
    flag the child is not safe, acknowledge a flag, reply to the feedback. A query only for
    those who may acknowledge flags (the open ones); the rest comes from the audit loaded."""
    can_raise = can_raise_escalation(staff, audit)
    acknowledge_forms: list[tuple[Escalation, EscalationAcknowledgeForm]] = []
    if can_acknowledge_on(staff, audit):
        flags = audit.escalations.only("public_id", "raised_at", "acknowledged_at")
        # One form per open flag, numbered among all the audit's flags as they are listed, so
        # each keeps its field ids.
        acknowledge_forms = [
            (e, EscalationAcknowledgeForm(auto_id=f"ack{n}_%s"))
            for n, e in enumerate(flags, start=1)
            if e.acknowledged_at is None
        ]
    return {
        # auto_id keeps these fields' ids apart from the other forms on the audit page.
        "escalation_form": EscalationRaiseForm(auto_id="flag_%s") if can_raise else None,
        "acknowledge_forms": acknowledge_forms,
        "reply_form": (
            FeedbackReplyForm(auto_id="reply_%s") if can_reply_to_feedback(staff, audit) else None
        ),
    }


def _render_detail(
    request: StaffRequest, audit: Audit, *, return_form: AuditReturnForm | None = None
) -> HttpResponse:
    """An audit's page. `audit` comes from `get_audit_for_user` (the access decision, and its
    read logged, on every request); what the reader may do is decided here on every request
    too, and the parts it shows key the kept copy, drawn per reader under the data version
    (`parts_kept`). The forms are drawn on every request, between the kept parts."""
    staff = request.staff
    is_auditor = audit.auditor_id == staff.pk
    leads = can_lead_audit(staff, audit)
    may_invite = can_invite_partner(staff, audit)
    may_add_action = audit.status != AuditStatus.PLANNED and can_create_action(staff, audit)
    kept = parts_kept(
        "audit-page",
        request=request,
        params=(str(audit.public_id), leads, may_invite, may_add_action),
        draw=lambda: _detail_parts_drawn(
            request,
            audit,
            can_change_share=leads,
            can_invite_partner=may_invite,
            can_add_action=may_add_action,
        ),
    )
    can_lead = leads and audit.status == AuditStatus.SUBMITTED
    context: dict[str, Any] = {
        "audit": audit,
        "kept": kept,
        # None where it holds a form: the page draws it.
        "moderation_kept": kept.get("moderation"),
        "can_edit": is_auditor and audit.status in WRITABLE_STATUSES,
        "can_submit": is_auditor and audit.status == AuditStatus.IN_PROGRESS,
        "can_lead": can_lead,
        "can_return": can_lead and not in_moderation(audit),
        "return_form": return_form or AuditReturnForm(),
        **_detail_forms(audit=audit, staff=staff),
    }
    return render(request, "audits/audit_detail.html", context)


@any_staff
def audit_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = get_audit_for_user(request.user, public_id)
    return _render_detail(request, audit)


def _answers_form(audit: Audit, data: Any = None) -> AuditAnswersForm:
    sections = list(audit.tool_version.sections.prefetch_related("questions"))
    grades: list[Grade] = list(audit.tool_version.grading_scale.grades.all())
    answers = {a.question_id: a for a in audit.answers.all()}
    return AuditAnswersForm(
        data,
        audit=audit,
        sections=sections,
        grades=grades,
        answers=answers,
        actions=actions_by_question(audit),
    )


def _saved_answers_form(audit: Audit) -> AuditAnswersForm:
    """The answers form bound to what is saved, so submission problems can sit on fields."""
    unbound = _answers_form(audit)
    data = {name: unbound.initial.get(name, "") or "" for name in unbound.fields}
    meeting_date = data.pop("meeting_date", None)
    if isinstance(meeting_date, datetime.date):
        # The date input posts three boxes, not one value.
        data |= {
            "meeting_date-day": str(meeting_date.day),
            "meeting_date-month": str(meeting_date.month),
            "meeting_date-year": str(meeting_date.year),
        }
    form = _answers_form(audit, data)
    form.is_valid()
    return form


def _render_edit(
    request: StaffRequest,
    audit: Audit,
    *,
    form: AuditAnswersForm | None = None,
    participant_form: ParticipantForm | None = None,
) -> HttpResponse:
    form = form or _answers_form(audit)
    is_deep_dive = audit.audit_type == AuditType.DEEP_DIVE
    context: dict[str, Any] = {
        "audit": audit,
        "form": form,
        "is_deep_dive": is_deep_dive,
        "participants": audit.participants.select_related("staff") if is_deep_dive else [],
        "participant_form": participant_form or ParticipantForm(audit=audit),
        "kinds": QuestionKind,
        "revisit": revisit_comparison(user=request.user, staff=request.staff, audit=audit),
        "today": today(),
    }
    return render(request, "audits/audit_edit.html", context)


@any_staff
def audit_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Save the draft, with any actions typed beside its questions; then, when asked, submit
    it. A refusal shows the page again with everything typed kept (less the actions already
    added, so that sending it again does not add them twice)."""
    audit = get_audit_for_user(request.user, public_id, write=True)
    if request.method != "POST":
        return _render_edit(request, audit)
    form = _answers_form(audit, request.POST)
    if not form.is_valid():
        return _render_edit(request, audit, form=form)
    try:
        audit_answers_save(
            audit=audit, by=request.staff, answers=form.answer_inputs(), **form.findings()
        )
    except RecordChanged as exc:
        form_version_renew(form, exc)
        return _render_edit(request, audit, form=form)
    except Refused as exc:
        refusal_to_form(form, exc)
        return _render_edit(request, audit, form=form)
    # Saved: if the page comes back below, its next save starts from this version.
    form_version_set(form, audit.version)
    try:
        added = finding_actions_create(audit=audit, by=request.staff, actions=form.action_inputs())
    except Refused as exc:
        # The draft is saved; the actions are not, and stay typed on the page. The form has
        # checked what it can: this is the rules' word (an owner who has just left, say).
        refusal_to_form(form, exc)
        return _render_edit(request, audit, form=form)
    button = request.POST.get("action", "")
    if button != "submit":
        messages.success(request, _saved_message(added))
        anchor = f"#q{added[-1].answer.question_id}-action" if added and added[-1].answer else ""
        return redirect(reverse("audits:edit", args=[audit.public_id]) + anchor)
    try:
        audit_submit(audit=audit, by=request.staff)
    except AuditIncomplete as exc:
        # The draft is kept: only the submission is refused.
        form = _answers_form(audit, form.data_without_actions() if added else form.data)
        form.is_valid()
        form.add_problems(exc.problems)
        return _render_edit(request, audit, form=form)
    messages.success(request, "Audit submitted.")
    return redirect("audits:detail", public_id=audit.public_id)


def _saved_message(added: list[Action]) -> str:
    if not added:
        return "Draft saved."
    noun = "action" if len(added) == 1 else "actions"
    return f"Draft saved, and {len(added)} {noun} added."


@any_staff
@require_POST
def audit_submit_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = get_audit_for_user(request.user, public_id, write=True)
    try:
        audit_submit(audit=audit, by=request.staff)
    except AuditIncomplete as exc:
        form = _saved_answers_form(audit)
        form.add_problems(exc.problems)
        return _render_edit(request, audit, form=form)
    except Refused as exc:
        refusal_to_message(request, exc)
        return redirect("audits:detail", public_id=audit.public_id)
    messages.success(request, "Audit submitted.")
    return redirect("audits:detail", public_id=audit.public_id)


def _audit_for_lead(request: StaffRequest, public_id: UUID) -> Audit:
    audit = get_audit_for_user(request.user, public_id)
    if audit.auditor_id == request.staff.pk:
        raise PermissionDenied("Another audit lead must return or complete an audit you did.")
    if not can_lead_audit(request.staff, audit):
        raise PermissionDenied("Only an audit lead for this service can do that.")
    return audit


@any_staff
@require_POST
def audit_return_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = _audit_for_lead(request, public_id)
    form = AuditReturnForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, audit, return_form=form)
    try:
        audit_return(audit=audit, by=request.staff, reason=form.cleaned_data["reason"])
    except Refused as exc:
        refusal_to_message(request, exc)
    else:
        messages.success(request, f"Audit returned to {audit.auditor.name}.")
    return redirect("audits:detail", public_id=audit.public_id)


@any_staff
@require_POST
def audit_complete_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = _audit_for_lead(request, public_id)
    try:
        audit_complete(audit=audit, by=request.staff)
    except Refused as exc:
        refusal_to_message(request, exc)
    else:
        messages.success(request, "Audit completed.")
    return redirect("audits:detail", public_id=audit.public_id)


@any_staff
@require_POST
def participant_add_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = get_audit_for_user(request.user, public_id, write=True)
    form = ParticipantForm(request.POST, audit=audit)
    if form.is_valid():
        data = form.cleaned_data
        try:
            participant_add(
                audit=audit,
                by=request.staff,
                staff=data["staff"],
                role=data["role"],
                contribution=data["contribution"],
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"{data['staff'].name} recorded as taking part.")
            return redirect(reverse("audits:edit", args=[audit.public_id]) + "#participants")
    return _render_edit(request, audit, participant_form=form)


@any_staff
@require_POST
def participant_remove_view(
    request: StaffRequest, public_id: UUID, staff_public_id: UUID
) -> HttpResponse:
    audit = get_audit_for_user(request.user, public_id, write=True)
    participant = get_object_or_404(
        Participant.objects.select_related("staff"),
        audit=audit,
        staff__public_id=staff_public_id,
    )
    try:
        participant_remove(audit=audit, by=request.staff, participant=participant)
    except Refused as exc:
        refusal_to_message(request, exc)
    else:
        messages.success(request, f"{participant.staff.name} removed from who took part.")
    return redirect(reverse("audits:edit", args=[audit.public_id]) + "#participants")


urlpatterns = [
    path("", audit_list, name="list"),
    path("<uuid:public_id>/", audit_detail, name="detail"),
    path("<uuid:public_id>/answer/", audit_edit, name="edit"),
    path("<uuid:public_id>/submit/", audit_submit_view, name="submit"),
    path("<uuid:public_id>/return/", audit_return_view, name="return"),
    path("<uuid:public_id>/complete/", audit_complete_view, name="complete"),
    path("<uuid:public_id>/participants/", participant_add_view, name="participant_add"),
    path(
        "<uuid:public_id>/participants/<uuid:staff_public_id>/remove/",
        participant_remove_view,
        name="participant_remove",
    ),
]
