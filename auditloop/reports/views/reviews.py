"""The cycle reviews pages: the versions issued of each cycle's review (and, for those who may
issue, a form to issue a new one), one version's page with its progress while it is built, and
its download, byte for byte as issued."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.core.selectors import tasks_wait_for_a_worker, workers_alive
from auditloop.reports.access.reviews import (
    REVIEW_ROLES,
    cycles_reviewable_by,
    get_review_for_user,
    may_issue_review_of,
    reviews_visible_to,
)
from auditloop.reports.forms.reviews import CycleReviewIssueForm
from auditloop.reports.models import CycleReview, ReviewFormat, ReviewStatus
from auditloop.reports.services.reviews import cycle_review_request, cycle_reviews_stalled_fail
from auditloop.reports.tasks import cycle_review_build_task
from auditloop.sampling.models import Cycle

REVIEWS_PER_PAGE = 50
CONTENT_TYPES = {
    ReviewFormat.HTML: "text/html; charset=utf-8",
    ReviewFormat.PDF: "application/pdf",
    ReviewFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# An issued HTML review is a stored document, not one of our pages: it runs no script, sends
# no form, loads nothing from elsewhere, and opens in a sandbox of its own.
STORED_DOCUMENT_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "sandbox": "",  # rendered as the bare directive: no scripts, forms or same origin
}


def review_filename(review: CycleReview) -> str:
    """The cycle's dates, the audience and the format: never a person, a team or a child."""
    cycle = review.cycle
    return (
        f"cycle-review-{cycle.starts_on:%Y-%m-%d}-to-{cycle.ends_on:%Y-%m-%d}-"
        f"{review.audience}.{review.format}"
    )


def _names_staff(request: StaffRequest) -> bool:
    # A board member reads nothing that names a member of staff: the issuer goes by role.
    return request.staff.role != Role.BOARD_MEMBER


def _previews(cycles: list[Cycle]) -> list[tuple[Cycle, str]]:
    """The preview page of each cycle's review, read before issuing it (where it is built)."""
    try:
        return [
            (cycle, reverse("reports:cycle-review-preview", args=[cycle.public_id]))
            for cycle in cycles
        ]
    except NoReverseMatch:
        return []


@roles_required(*REVIEW_ROLES)
def cycle_review_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    cycle_reviews_stalled_fail()
    cycles = list(
        cycles_reviewable_by(staff)
        .filter(starts_on__lte=timezone.localdate())
        .order_by("-starts_on", "-id")
    )
    posted = request.method == "POST"
    if posted and not cycles:
        raise PermissionDenied("You may not issue the review of any cycle.")
    form = CycleReviewIssueForm(request.POST if posted else None, cycles=cycles)
    if posted and form.is_valid():
        try:
            review = cycle_review_request(
                staff=staff,
                cycle=form.chosen_cycle(),
                audience=form.cleaned_data["audience"],
                fmt=form.cleaned_data["format"],
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            transaction.on_commit(partial(cycle_review_build_task.enqueue, str(review.public_id)))
            return redirect("reports:cycle-review", public_id=review.public_id)
    reviews = reviews_visible_to(staff).order_by(
        "-cycle__starts_on", "cycle_id", "-requested_at", "-id"
    )
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/reviews/list.html",
        {
            "form": form if cycles else None,
            "page": page,
            "names_staff": _names_staff(request),
            "previews": _previews(cycles),
        },
    )


def _detail_context(request: StaffRequest, review: CycleReview) -> dict[str, object]:
    return {
        "review": review,
        "names_staff": _names_staff(request),
        "may_issue": may_issue_review_of(request.staff, review),
        "filename": review_filename(review),
        # Queued with no background worker alive, it would wait for ever: the page says so.
        "no_worker": review.status == ReviewStatus.QUEUED
        and tasks_wait_for_a_worker()
        and not workers_alive(),
    }


@roles_required(*REVIEW_ROLES)
def cycle_review_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle_reviews_stalled_fail()
    review = get_review_for_user(request.user, public_id)
    return render(request, "reports/reviews/detail.html", _detail_context(request, review))


@roles_required(*REVIEW_ROLES)
def cycle_review_progress(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The status panel alone, for htmx to poll and swap in place."""
    cycle_reviews_stalled_fail()
    review = get_review_for_user(request.user, public_id)
    return render(request, "reports/reviews/detail.html#panel", _detail_context(request, review))


def _issued_content(request: StaffRequest, public_id: UUID) -> CycleReview:
    review = get_review_for_user(request.user, public_id, content=True)
    if review.status != ReviewStatus.ISSUED or review.content is None:
        raise Http404("This version has not been issued.")
    return review


def _stored(request: StaffRequest, review: CycleReview, disposition: str) -> HttpResponse:
    etag = f'"{review.sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    content = bytes(review.content or b"")
    response = HttpResponse(content, content_type=CONTENT_TYPES[ReviewFormat(review.format)])
    response["Content-Disposition"] = f'{disposition}; filename="{review_filename(review)}"'
    response["ETag"] = etag
    response["Content-Length"] = str(len(content))
    return response


@roles_required(*REVIEW_ROLES)
def cycle_review_download(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The stored bytes, exactly as issued."""
    return _stored(request, _issued_content(request, public_id), "attachment")


@roles_required(*REVIEW_ROLES)
@csp_override(STORED_DOCUMENT_CSP)
def cycle_review_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """An issued HTML version, opened in the browser under a policy that runs no script."""
    review = _issued_content(request, public_id)
    if review.format != ReviewFormat.HTML:
        raise Http404("Only a web page version opens in the browser.")
    return _stored(request, review, "inline")


urlpatterns: list[URLPattern] = [
    path("cycle-reviews/", cycle_review_list, name="cycle-reviews"),
    path("cycle-reviews/<uuid:public_id>/", cycle_review_detail, name="cycle-review"),
    path(
        "cycle-reviews/<uuid:public_id>/progress",
        cycle_review_progress,
        name="cycle-review-progress",
    ),
    path(
        "cycle-reviews/<uuid:public_id>/download",
        cycle_review_download,
        name="cycle-review-download",
    ),
    path("cycle-reviews/<uuid:public_id>/view", cycle_review_view, name="cycle-review-view"),
]
