"""Pages for audits with partner agencies: the audit lead's invitation, and the partner
agency auditor's own pages (their audits, what was shared of each case, answering the tool).

A partner reads nothing through the staff pages: these pages show them their own audits,
the case information the lead chose to share, and the audit tool."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.audits.access.partners import (
    PARTNER_WRITABLE,
    get_audit_for_partner_invite,
    get_partner_audit_for_user,
    get_partner_share_for_lead,
    partner_audits_of,
)
from auditloop.audits.forms.audits import AuditAnswersForm
from auditloop.audits.forms.partners import PartnerInviteForm, PartnerShareForm
from auditloop.audits.models import Audit, Grade
from auditloop.audits.services.audits import AuditIncomplete, audit_answers_save, audit_submit
from auditloop.audits.services.partners import partner_audit_create, partner_share_update
from auditloop.audits.views.audits import _answered_sections
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.refusals import Refused, refusal_to_form


@roles_required(Role.MODERATOR)
def partner_invite(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = get_audit_for_partner_invite(request.user, public_id)
    form = PartnerInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            given = partner_audit_create(
                audit=audit,
                partner=data["partner"],
                case_summary=data["case_summary"],
                share_child_id=data["share_child_id"],
                share_cohort=data["share_cohort"],
                due_date=data["due_date"],
                by=request.staff,
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Audit given to {given.auditor.name}.")
            return redirect("audits:detail", public_id=given.public_id)
    return render(request, "audits/partners/invite.html", {"audit": audit, "form": form})


@roles_required(Role.MODERATOR)
def partner_share_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The audit lead changes what is shared with the partner of their audit."""
    share = get_partner_share_for_lead(request.user, public_id)
    initial = {
        "case_summary": share.case_summary,
        "share_child_id": share.share_child_id,
        "share_cohort": share.share_cohort,
    }
    form = PartnerShareForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner_share_update(
                share=share,
                case_summary=data["case_summary"],
                share_child_id=data["share_child_id"],
                share_cohort=data["share_cohort"],
                by=request.staff,
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"What is shared with {share.audit.auditor.name} is saved.")
            return redirect("audits:detail", public_id=share.audit.public_id)
    context = {"audit": share.audit, "share": share, "form": form}
    return render(request, "audits/partners/share_edit.html", context)


@roles_required(Role.PARTNER)
def partner_audit_list(request: StaffRequest) -> HttpResponse:
    audits = list(partner_audits_of(request.staff))
    access_shown(user=request.user, targets=audits, purpose=Purpose.LISTED)
    return render(request, "audits/partners/list.html", {"audits": audits})


@roles_required(Role.PARTNER)
def partner_audit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit = get_partner_audit_for_user(request.user, public_id)
    context: dict[str, Any] = {
        "audit": audit,
        "share": audit.partner_share,
        "can_answer": audit.status in PARTNER_WRITABLE,
        "sections": _answered_sections(audit) if audit.is_shared else [],
    }
    return render(request, "audits/partners/audit.html", context)


def _answers_form(audit: Audit, data: Any = None) -> AuditAnswersForm:
    grades: list[Grade] = list(audit.tool_version.grading_scale.grades.all())
    return AuditAnswersForm(
        data,
        audit=audit,
        sections=list(audit.tool_version.sections.prefetch_related("questions")),
        grades=grades,
        answers={a.question_id: a for a in audit.answers.all()},
    )


def _render_answer(request: StaffRequest, audit: Audit, form: AuditAnswersForm) -> HttpResponse:
    context = {"audit": audit, "share": audit.partner_share, "form": form}
    return render(request, "audits/partners/answer.html", context)


@roles_required(Role.PARTNER)
def partner_answer(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Save the partner's draft answers; then, when asked, submit them."""
    audit = get_partner_audit_for_user(request.user, public_id, write=True)
    if request.method != "POST":
        return _render_answer(request, audit, _answers_form(audit))
    form = _answers_form(audit, request.POST)
    if not form.is_valid():
        return _render_answer(request, audit, form)
    try:
        audit_answers_save(
            audit=audit, by=request.staff, answers=form.answer_inputs(), **form.findings()
        )
    except Refused as exc:
        refusal_to_form(form, exc)
        return _render_answer(request, audit, form)
    if request.POST.get("action", "") != "submit":
        messages.success(request, "Draft saved.")
        return redirect("audits:partner_answer", public_id=audit.public_id)
    try:
        audit_submit(audit=audit, by=request.staff)
    except AuditIncomplete as exc:
        form = _answers_form(audit, form.data)
        form.is_valid()
        form.add_problems(exc.problems)
        return _render_answer(request, audit, form)
    messages.success(request, "Audit submitted.")
    return redirect("audits:partner_audit", public_id=audit.public_id)


urlpatterns = [
    path("<uuid:public_id>/partner/", partner_invite, name="partner_invite"),
    path("<uuid:public_id>/partner/share/", partner_share_edit, name="partner_share"),
    path("partner/", partner_audit_list, name="partner_list"),
    path("partner/<uuid:public_id>/", partner_audit, name="partner_audit"),
    path("partner/<uuid:public_id>/answer/", partner_answer, name="partner_answer"),
]
