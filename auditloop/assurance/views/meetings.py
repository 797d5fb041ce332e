"""Moderation meetings: the list, recording one, and its page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from auditloop.accounts.access import (
    StaffRequest,
    any_staff,
    roles_required,
)
from auditloop.accounts.models import AUDITING_ROLES, Role, StaffMember
from auditloop.assurance.access.meetings import (
    MEETING_RECORDERS,
    get_meeting_for_user,
    meeting_kinds_for,
)
from auditloop.assurance.forms.meetings import (
    MOST_ROWS,
    MeetingForm,
    MeetingItemForm,
    Resolver,
    items_duplicates_mark,
)
from auditloop.assurance.selectors.meetings import (
    REFERENCE,
    audits_by_reference,
    meeting_attendee_candidates,
    meeting_attendees,
    meeting_items,
    meetings_visible_to,
    reference_normalised,
)
from auditloop.assurance.services.meetings import meeting_record
from auditloop.audits.models import Audit
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.core.templatetags.govuk import govuk_error_summary

PAGE_SIZE = 50


@roles_required(*AUDITING_ROLES, Role.PARTNER)
def meeting_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    page = page_of(request, meetings_visible_to(staff), per_page=PAGE_SIZE)
    return render(
        request,
        "assurance/meetings/list.html",
        {"page": page, "can_record": bool(meeting_kinds_for(staff))},
    )


def _resolver(staff: StaffMember) -> Resolver:
    def resolve(text: str) -> Audit | str:
        if not REFERENCE.match(reference_normalised(text)):
            return "Enter the audit\u2019s reference as its page shows it, for example 3F2A9C1B"
        found = audits_by_reference(staff, text)
        if not found:
            return f"No audit with the reference {text.strip().upper()} that you may read"
        if len(found) > 1:
            return (
                "More than one audit\u2019s reference begins like that: enter more of it, from "
                "the address of the audit\u2019s page"
            )
        return found[0]

    return resolve


def _forms(request: StaffRequest, *, bound: bool) -> tuple[MeetingForm, list[MeetingItemForm]]:
    staff = request.staff
    data = request.POST if bound else None
    form = MeetingForm(data, staff=staff, attendees=meeting_attendee_candidates(staff))
    rows = form.row_count()
    if bound and request.POST.get("action") == "add":
        rows = min(rows + 1, MOST_ROWS)
    resolve = _resolver(staff)
    items = [MeetingItemForm(data, number=n, resolve=resolve) for n in range(1, rows + 1)]
    return form, items


def _render_form(
    request: StaffRequest, form: MeetingForm, items: list[MeetingItemForm], *, checked: bool
) -> HttpResponse:
    found = [i.audit for i in items if i.audit is not None]
    # The rows name each audit's child: a read of each, by the recorder, who may read them all.
    access_shown(user=request.user, targets=found, purpose=Purpose.MEETING)
    context: dict[str, Any] = {
        "form": form,
        "items": items,
        "rows": len(items),
        "checked": checked,
        "error_summary": govuk_error_summary(form, *items),
    }
    return render(request, "assurance/meetings/form.html", context)


@roles_required(*MEETING_RECORDERS)
def meeting_create(request: StaffRequest) -> HttpResponse:
    """Record a meeting. Working without JavaScript: "Add another audit" posts the form back
    with one more row; "Check the audits" finds each reference and shows the child's ID beside
    it without saving; "Save" records the meeting."""
    staff = request.staff
    if request.method != "POST":
        form, items = _forms(request, bound=False)
        return _render_form(request, form, items, checked=False)
    form, items = _forms(request, bound=True)
    action = request.POST.get("action", "save")
    # Every row is checked, so that each shows its own errors.
    items_valid = [i.is_valid() for i in items]
    valid = form.is_valid() and all(items_valid)
    items_duplicates_mark(items)
    if action in {"add", "check"}:
        # Not saving: the form comes back as typed, without the errors of what is not filled
        # in yet; checking keeps the audits' errors, which is what it is for.
        for shown in [form, *items] if action == "add" else [form]:
            shown.errors.clear()
        return _render_form(request, form, items, checked=action == "check")
    if valid and not any(i.errors for i in items):
        inputs = [x for x in (i.item_input() for i in items) if x is not None]
        data = form.cleaned_data
        try:
            meeting = meeting_record(
                by=staff,
                kind=data["kind"],
                service=data["service"],
                held_on=data["held_on"],
                attendees=list(data["attendees"]),
                items=inputs,
                learning=data["learning"],
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "Moderation meeting recorded.")
            return redirect("assurance:meeting_detail", public_id=meeting.public_id)
    return _render_form(request, form, items, checked=False)


@any_staff
def meeting_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    meeting = get_meeting_for_user(request.user, public_id)
    items = meeting_items(meeting, staff)
    # Only the audits this reader may read show their child's ID: those reads are logged.
    access_shown(
        user=request.user,
        targets=[r.audit for r in items if r.readable or r.own_partner_audit],
        purpose=Purpose.MEETING,
    )
    return render(
        request,
        "assurance/meetings/detail.html",
        {
            "meeting": meeting,
            "items": items,
            "attendees": meeting_attendees(meeting),
            # The group's learning may speak of any case: not for a partner agency auditor.
            "show_learning": staff.role != Role.PARTNER,
        },
    )


urlpatterns = [
    path("moderation/meetings/", meeting_list, name="meeting_list"),
    path("moderation/meetings/new/", meeting_create, name="meeting_create"),
    path("moderation/meetings/<uuid:public_id>/", meeting_detail, name="meeting_detail"),
]
