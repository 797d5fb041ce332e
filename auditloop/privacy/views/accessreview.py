"""Who has read a child's records (the access review) and the unusual reading report, for an
audit lead (their services) and the Data Protection Officer (the whole council); the council's
thresholds for the report, set by the DPO or an administrator."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of
from auditloop.privacy.access.accessreview import (
    ACCESS_REVIEW_MINUTES,
    READING_THRESHOLD_ROLES,
    AccessReviewExpired,
    get_access_review_for_user,
    get_reader_for_user,
)
from auditloop.privacy.access.roles import ACCESS_REVIEW_ROLES
from auditloop.privacy.forms.accessreview import (
    ChildSearchForm,
    ReadingThresholdsForm,
    UnusualReadingForm,
)
from auditloop.privacy.selectors import accessreview as selectors
from auditloop.privacy.services.accessreview import access_review_open, reading_thresholds_set

access_reviewers = roles_required(*ACCESS_REVIEW_ROLES)

# The same words for an ID that is unknown and one outside the reviewer's services: a lead
# does not learn which children exist elsewhere.
NOT_FOUND = "No child whose records you can review has that LA child ID. Check the ID."

# The report's period when none is asked for: the last week, today included.
DEFAULT_DAYS = 7


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


@access_reviewers
def access_review(request: StaffRequest) -> HttpResponse:
    """The search: the child's ID is posted, and the review opens under a random token."""
    form = ChildSearchForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        case = selectors.child_for_review(request.staff, form.cleaned_data["la_child_id"])
        if case is None:
            form.add_error("la_child_id", NOT_FOUND)
        else:
            try:
                review = access_review_open(case=case, by=request.staff)
            except ValidationError:
                form.add_error("la_child_id", NOT_FOUND)
            else:
                return redirect("privacy:access_review_reads", public_id=review.public_id)
    return render(
        request,
        "privacy/accessreview/search.html",
        {"form": form, "lead": request.staff.role == Role.MODERATOR},
    )


@access_reviewers
def access_review_reads(request: StaffRequest, public_id: UUID) -> HttpResponse:
    try:
        review = get_access_review_for_user(request.user, public_id)
    except AccessReviewExpired:
        messages.info(
            request,
            f"A search is kept for {ACCESS_REVIEW_MINUTES} minutes. Enter the LA child ID again.",
        )
        return redirect("privacy:access_review")
    case = review.case
    page = page_of(request, selectors.reads_of_child(case))
    access_shown(user=request.user, targets=[case], purpose=Purpose.ACCESS_REVIEW)
    return render(
        request,
        "privacy/accessreview/reads.html",
        {"case": case, "page": page, "rows": selectors.read_rows(case, page.object_list)},
    )


@access_reviewers
def unusual_reading(request: StaffRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"date_from": today - datetime.timedelta(days=DEFAULT_DAYS - 1), "date_to": today}
    # Turning the page of the default period sends only ?page=: that is not a period asked for.
    asked = any(key.startswith(("date_from", "date_to")) for key in request.GET)
    form = UnusualReadingForm(request.GET if asked else None, initial=initial)
    thresholds = selectors.reading_thresholds()
    period = None
    if form.is_bound and form.is_valid():
        period = (form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    elif not form.is_bound:
        period = (initial["date_from"], initial["date_to"])
    page = None
    if period is not None:
        rows = selectors.unusual_reading(
            request.staff, date_from=period[0], date_to=period[1], thresholds=thresholds
        )
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/accessreview/unusual.html",
        {
            "form": form,
            "period": period,
            "page": page,
            "thresholds": thresholds,
            "exempt": [label for value, label in Role.choices if value in thresholds.exempt_roles],
            "can_set": request.staff.role in READING_THRESHOLD_ROLES,
        },
    )


@access_reviewers
def unusual_reading_day(request: StaffRequest, public_id: UUID, day: str) -> HttpResponse:
    reader = get_reader_for_user(request.staff, public_id)
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404("No such day.") from exc
    page = page_of(request, selectors.reads_of_reader_on(reader, date))
    rows = selectors.day_rows(request.staff, reader, page.object_list)
    shown = {row.case.pk: row.case for row in rows if row.case is not None}
    access_shown(user=request.user, targets=shown.values(), purpose=Purpose.UNUSUAL_READING)
    return render(
        request,
        "privacy/accessreview/day.html",
        {"reader": reader, "day": date, "page": page, "rows": rows},
    )


@roles_required(*READING_THRESHOLD_ROLES)
def reading_thresholds(request: StaffRequest) -> HttpResponse:
    saved = selectors.reading_thresholds()
    form = ReadingThresholdsForm(
        _posted(request),
        initial={
            "cases_per_day": saved.cases_per_day,
            "exempt_roles": saved.exempt_roles,
            "count_lists": saved.count_lists,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            reading_thresholds_set(by=request.staff, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "Unusual reading thresholds saved.")
            if request.staff.role in ACCESS_REVIEW_ROLES:
                return redirect("privacy:unusual_reading")
            return redirect("privacy:index")
    return render(request, "privacy/accessreview/thresholds.html", {"form": form, "saved": saved})


urlpatterns = [
    path("who-has-read/", access_review, name="access_review"),
    path("who-has-read/<uuid:public_id>/", access_review_reads, name="access_review_reads"),
    path("unusual-reading/", unusual_reading, name="unusual_reading"),
    path(
        "unusual-reading/<uuid:public_id>/<str:day>/",
        unusual_reading_day,
        name="unusual_reading_day",
    ),
    path("unusual-reading/thresholds/", reading_thresholds, name="reading_thresholds"),
]
