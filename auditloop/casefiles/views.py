"""Children's case files: the list (scoped to the person), a case file with its audits, and an
administrator's create, change and close."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff, roles_required
from auditloop.accounts.models import Role
from auditloop.audits.selectors.audits import audit_rows, audits_visible_to
from auditloop.casefiles.access import can_change_cases, can_list_cases, get_case_for_user
from auditloop.cases import selectors, services
from auditloop.cases.forms import CaseCloseForm, CaseFilterForm, CaseForm, CaseSearchForm
from auditloop.cases.selectors import CASE_LIST_ROLES
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.keptparts import part_kept, part_rendered
from auditloop.core.pagination import page_of

case_list_roles = roles_required(*CASE_LIST_ROLES)
administrators_only = roles_required(Role.ADMINISTRATOR)


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, even when empty (a confirm button sends nothing but the token)."""
    return request.POST if request.method == "POST" else None


@case_list_roles
def case_list(request: StaffRequest) -> HttpResponse:
    """The filtered list on GET; a search by LA child ID on POST, answered on the same page so
    the ID never goes into a URL."""
    staff = request.staff
    filters = CaseFilterForm(request.GET or None, teams=selectors.teams_for_case_filter(staff))
    search = CaseSearchForm(_posted(request))
    if request.method == "POST":
        found = selectors.cases_by_child_id(staff, search["la_child_id"].value() or "")
        if search.is_valid() and len(found) == 1:
            return redirect("cases:detail", public_id=found[0].public_id)
        if search.is_valid():
            access_shown(user=request.user, targets=found[:50], purpose=Purpose.SEARCH)
        return render(
            request,
            "cases/case_search.html",
            {"search": search, "found": found[:50], "more": len(found) > 50},
        )
    criteria = {}
    if filters.is_valid():
        criteria = {
            "cohort": filters.cleaned_data["cohort"],
            "team": filters.cleaned_data["team"],
            "state": filters.cleaned_data["state"] or "open",
        }

    def draw() -> str:
        page = page_of(request, selectors.cases_matching(staff, **criteria))
        access_shown(user=request.user, targets=page, purpose=Purpose.LISTED)
        return part_rendered("cases/_case_list_table.html", {"page": page}, request=request)

    return render(
        request,
        "cases/case_list.html",
        {
            "filters": filters,
            "search": search,
            "table": part_kept("cases-list", request=request, draw=draw),
            "can_create": can_change_cases(staff),
        },
    )


@any_staff
def case_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, public_id)
    staff = request.staff
    audits = list(audits_visible_to(staff).filter(case=case).order_by("-created_at"))
    access_shown(user=request.user, targets=audits, purpose=Purpose.LISTED)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "audit_rows": audit_rows(audits),
            "can_change": can_change_cases(staff),
            "can_list": can_list_cases(staff),
        },
    )


@administrators_only
def case_create(request: StaffRequest) -> HttpResponse:
    form = CaseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(by=request.staff, details=form.details())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Case file added.")
            return redirect("cases:detail", public_id=case.public_id)
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "title": "Add a case file", "back": reverse("cases:list")},
    )


@administrators_only
def case_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, public_id, write=True)
    initial = {
        "la_child_id": case.la_child_id,
        "cohort": case.cohort,
        "allocated_team": case.allocated_team,
        "allocated_worker": case.allocated_worker,
        **{name: getattr(case, name) for name in services.KEY_DATES},
    }
    form = CaseForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, by=request.staff, details=form.details())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Case file saved.")
            return redirect("cases:detail", public_id=case.public_id)
    return render(
        request,
        "cases/case_form.html",
        {
            "form": form,
            "title": "Change case file",
            "back": reverse("cases:detail", args=[case.public_id]),
        },
    )


@administrators_only
def case_close(request: StaffRequest, public_id: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, public_id, write=True)
    form = CaseCloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(case=case, by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Case file closed.")
            return redirect("cases:detail", public_id=case.public_id)
    return render(request, "cases/case_close.html", {"form": form, "case": case})


@require_POST
@administrators_only
def case_reopen(request: StaffRequest, public_id: UUID) -> HttpResponse:
    case = get_case_for_user(request.user, public_id, write=True)
    try:
        services.case_reopen(case=case, by=request.staff)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Case file reopened.")
    return redirect("cases:detail", public_id=case.public_id)
