"""The retention pages: the schedule and each rule, legal holds, and the dry run with the
"Run retention now" button. Administrators and the Data Protection Officer only."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.views.common import form_page, posted_data
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.privacy.access.retention import (
    get_legal_hold_for_user,
    get_retention_rule_for_user,
)
from auditloop.privacy.access.roles import RETENTION_ROLES
from auditloop.privacy.forms.retention import (
    LegalHoldForm,
    LegalHoldRemoveForm,
    RetentionRuleForm,
    RetentionRunForm,
)
from auditloop.privacy.rules.retention import RetentionRefused
from auditloop.privacy.selectors.cases import case_by_child_id
from auditloop.privacy.selectors.retention import (
    legal_holds_active,
    legal_holds_removed,
    retention_due,
    retention_rules,
)
from auditloop.privacy.services.retention import (
    legal_hold_remove,
    legal_hold_set,
    retention_rule_change,
    retention_run,
    retention_schedule_seed,
)

retention_roles = roles_required(*RETENTION_ROLES)

HOLDS_PER_PAGE = 50
REMOVED_SHOWN = 20


@retention_roles
def schedule(request: StaffRequest) -> HttpResponse:
    retention_schedule_seed()
    return render(request, "privacy/retention/schedule.html", {"rules": retention_rules()})


@retention_roles
def rule_change(request: StaffRequest, public_id: UUID) -> HttpResponse:
    rule = get_retention_rule_for_user(request.user, public_id)
    form = RetentionRuleForm(
        posted_data(request),
        rule=rule,
        initial={
            "years": rule.years,
            "months": rule.months,
            "anchor": rule.anchor,
            "outcome": rule.outcome,
            "basis": rule.basis,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            retention_rule_change(rule=rule, by=request.staff, **form.cleaned_data)
        except RetentionRefused as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, f"Retention rule for {rule.kind_label.lower()} saved.")
            return redirect("privacy:retention_schedule")
    return form_page(
        request,
        form,
        title=f"How long to keep {rule.kind_label.lower()}",
        caption="Retention schedule",
        hint=rule.basis or None,
        button="Save",
        back=reverse("privacy:retention_schedule"),
    )


@retention_roles
def holds(request: StaffRequest) -> HttpResponse:
    page = Paginator(legal_holds_active(), HOLDS_PER_PAGE).get_page(request.GET.get("page"))
    removed = list(legal_holds_removed()[:REMOVED_SHOWN])
    shown = [hold.case for hold in [*page.object_list, *removed]]
    if shown:
        access_shown(user=request.user, targets=shown, purpose=Purpose.LEGAL_HOLD)
    return render(request, "privacy/retention/holds.html", {"page": page, "removed": removed})


@retention_roles
def hold_add(request: StaffRequest) -> HttpResponse:
    form = LegalHoldForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        case = case_by_child_id(form.cleaned_data["la_child_id"])
        if case is None:
            form.add_error("la_child_id", "No case file has this LA child ID.")
        else:
            try:
                legal_hold_set(case=case, by=request.staff, reason=form.cleaned_data["reason"])
            except RetentionRefused as exc:
                form.add_error(exc.field, str(exc))
            else:
                messages.success(
                    request,
                    "The case is on legal hold: nothing about it will be deleted or anonymised "
                    "until the hold is taken off.",
                )
                return redirect("privacy:legal_holds")
    return form_page(
        request,
        form,
        title="Put a case on legal hold",
        caption="Retention schedule",
        hint="While a case is on hold, the retention schedule deletes and anonymises nothing "
        "about it: its audits, answers, actions, flags, replies and the log rows about them.",
        button="Put on hold",
        back=reverse("privacy:legal_holds"),
    )


@retention_roles
def hold_remove(request: StaffRequest, public_id: UUID) -> HttpResponse:
    hold = get_legal_hold_for_user(request.user, public_id)
    form = LegalHoldRemoveForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            legal_hold_remove(hold=hold, by=request.staff, reason=form.cleaned_data["reason"])
        except RetentionRefused as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "The legal hold is taken off.")
            return redirect("privacy:legal_holds")
    access_shown(user=request.user, targets=[hold.case], purpose=Purpose.LEGAL_HOLD)
    return form_page(
        request,
        form,
        title="Take a legal hold off",
        caption=f"Case {hold.case.la_child_id}, on hold since {hold.set_at:%-d %B %Y}",
        hint="Once the hold is off, the next retention run deletes or anonymises whatever "
        "about this case the schedule finds due.",
        warning=True,
        button="Take the hold off",
        back=reverse("privacy:legal_holds"),
    )


def _dry_run_page(request: StaffRequest, form: RetentionRunForm) -> HttpResponse:
    retention_schedule_seed()
    lines = retention_due()
    return render(
        request,
        "privacy/retention/dry_run.html",
        {"lines": lines, "form": form, "total": sum(line.count for line in lines)},
    )


@retention_roles
def dry_run(request: StaffRequest) -> HttpResponse:
    return _dry_run_page(request, RetentionRunForm())


@require_POST
@retention_roles
def run(request: StaffRequest) -> HttpResponse:
    form = RetentionRunForm(request.POST)
    if not form.is_valid():
        return _dry_run_page(request, form)
    lines = retention_run(by=request.staff)
    done = [f"{line.count} {line.label.lower()} {line.done_word}" for line in lines if line.count]
    messages.success(
        request,
        "Retention run finished: " + ("; ".join(done) if done else "nothing was due") + ".",
    )
    return redirect("privacy:retention_dry_run")


urlpatterns = [
    path("retention/", schedule, name="retention_schedule"),
    path("retention/rules/<uuid:public_id>/", rule_change, name="retention_rule_change"),
    path("retention/holds/", holds, name="legal_holds"),
    path("retention/holds/add/", hold_add, name="legal_hold_add"),
    path("retention/holds/<uuid:public_id>/remove/", hold_remove, name="legal_hold_remove"),
    path("retention/dry-run/", dry_run, name="retention_dry_run"),
    path("retention/run/", run, name="retention_run"),
]
