"""The event log, the access log, refused requests and failed sign-ins."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from auditloop.accounts import selectors
from auditloop.accounts.forms import (
    AccessFilterForm,
    EventFilterForm,
    WhoAndWhenFilterForm,
)
from auditloop.accounts.log_words import purpose_label, target_label, verb_label
from auditloop.accounts.views.common import (
    administrators_only,
    who_label,
)
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of

# Where a logged record can be opened, by its public id.
_TARGET_URLS = {
    "accounts.staffmember": "accounts:staff_detail",
    "cases.childcase": "cases:detail",
    "audits.audit": "audits:detail",
}


def _target_url(target_type: str, target_id: str) -> str:
    name = _TARGET_URLS.get(target_type)
    if name is None:
        return ""
    try:
        return reverse(name, args=[target_id])
    except NoReverseMatch:
        return ""


@administrators_only
def event_list(request: HttpRequest) -> HttpResponse:
    filters = EventFilterForm(
        request.GET or None,
        verbs=selectors.event_verbs(),
        target_types=selectors.event_target_types(),
    )
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.events_matching(**criteria))
    # The log says who did what to which audit: reading it is itself recorded, row by row.
    access_shown(user=request.user, targets=list(page), purpose=Purpose.EVENT_LOG)
    rows = [
        {
            "event": event,
            "who": who_label(event.actor),
            "url": _target_url(event.target_type, event.target_id),
            "label": target_label(event.target_type),
            "what": verb_label(event.verb),
            "changes": selectors.changes(event.before, event.after, event.content_changed),
        }
        for event in page
    ]
    return render(
        request, "accounts/event_list.html", {"filters": filters, "page": page, "rows": rows}
    )


@administrators_only
def access_log(request: HttpRequest) -> HttpResponse:
    filters = AccessFilterForm(request.GET or None, target_types=selectors.access_target_types())
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.access_log_matching(**criteria))
    rows = [
        {
            "entry": entry,
            "who": who_label(entry.user),
            "url": _target_url(entry.target_type, entry.target_id),
            "label": target_label(entry.target_type),
            "purpose": purpose_label(entry.purpose),
        }
        for entry in page
    ]
    return render(
        request, "accounts/access_log.html", {"filters": filters, "page": page, "rows": rows}
    )


@administrators_only
def refused_requests(request: HttpRequest) -> HttpResponse:
    filters = WhoAndWhenFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.refused_requests_matching(**criteria))
    rows = [{"entry": entry, "who": who_label(entry.user)} for entry in page]
    return render(
        request, "accounts/refused_requests.html", {"filters": filters, "page": page, "rows": rows}
    )


@administrators_only
def failed_sign_ins(request: HttpRequest) -> HttpResponse:
    filters = WhoAndWhenFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    page = page_of(request, selectors.failed_sign_ins_matching(**criteria))
    rows = [
        {"entry": entry, "login": who_label(entry.user) if entry.user is not None else ""}
        for entry in page
    ]
    return render(
        request, "accounts/failed_sign_ins.html", {"filters": filters, "page": page, "rows": rows}
    )
