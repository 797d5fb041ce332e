"""Planning an audit by hand, for audit leads: find the case by its LA child ID, then choose
the tool, the type and an independent auditor."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import auditors_in_services_of
from auditloop.audits.forms.planning import AuditCaseFindForm, AuditCreateForm
from auditloop.audits.selectors.planning import (
    RECENT_AUDITS_DAYS,
    audits_of_case_recent,
    case_to_plan,
)
from auditloop.audits.services.planning import audit_create
from auditloop.cases.models import ChildCase
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.refusals import Refused, refusal_to_form


def _render_find(request: StaffRequest, find: AuditCaseFindForm) -> HttpResponse:
    return render(request, "audits/audit_create_find.html", {"find": find})


def _render_plan(
    request: StaffRequest, case: ChildCase, form: AuditCreateForm, staff: StaffMember
) -> HttpResponse:
    # The summary shows the case file's dates and its audits' grades: a read of the case, and
    # of each audit named (the recent ones, and those a revisit could follow up).
    recent_audits = list(audits_of_case_recent(staff, case))
    access_shown(user=request.user, targets=[case], purpose=Purpose.VIEW)
    access_shown(
        user=request.user,
        targets=[*recent_audits, *form.fields["revisit_of"].queryset],  # type: ignore[attr-defined]
        purpose=Purpose.LISTED,
    )
    return render(
        request,
        "audits/audit_create.html",
        {
            "case": case,
            "form": form,
            "recent_audits": recent_audits,
            "recent_days": RECENT_AUDITS_DAYS,
        },
    )


@roles_required(Role.MODERATOR)
def audit_create_view(request: StaffRequest) -> HttpResponse:
    """Plan an audit, as GOV.UK question pages that work without JavaScript. Step 1 asks
    which child's case, by LA child ID, sent by POST so the ID never enters a URL or a log.
    Step 2 is the same view POSTed with the case's public id in a hidden field, checked
    again on every POST: the case, the audit tool, type, auditor and due date."""
    staff = request.staff
    if request.method != "POST":
        return _render_find(request, AuditCaseFindForm(staff=staff))
    posted_case = request.POST.get("case")
    if posted_case is None:
        find = AuditCaseFindForm(request.POST, staff=staff)
        if not find.is_valid() or find.case is None:
            return _render_find(request, find)
        auditors = auditors_in_services_of(staff)
        form = AuditCreateForm(staff=staff, case=find.case, auditors=auditors)
        return _render_plan(request, find.case, form, staff)
    case = case_to_plan(staff, posted_case)
    if case is None:
        # Closed or moved since step 1, or a forged id: start again, naming no case.
        return _render_find(request, AuditCaseFindForm({}, staff=staff, case_gone=True))
    auditors = auditors_in_services_of(staff)
    form = AuditCreateForm(request.POST, staff=staff, case=case, auditors=auditors)
    if form.is_valid():
        data = form.cleaned_data
        try:
            audit = audit_create(
                case=case,
                tool_version=data["tool_version"],
                audit_type=data["audit_type"],
                auditor=data["auditor"],
                by=request.staff,
                due_date=data["due_date"],
                theme=data["theme"],
                revisit_of=data["revisit_of"],
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Audit planned and assigned to {audit.auditor.name}.")
            return redirect("audits:detail", public_id=audit.public_id)
    return _render_plan(request, case, form, staff)


urlpatterns = [path("new/", audit_create_view, name="create")]
