"""The cycle review's preview: the sections of the committee's or the leaders' version of a
cycle's review, in the site's layout (the dashboards' sections and blocks), for those who may
issue it, before they do."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.learning.selectors.team_picture import suppressed_note
from auditloop.reports.access.cycle_review import (
    REVIEW_PREVIEW_ROLES,
    get_cycle_for_review_preview,
)
from auditloop.reports.access.scopes import review_scope
from auditloop.reports.documents import review_notes
from auditloop.reports.forms.cycle_review import ReviewAudienceForm
from auditloop.reports.selectors.cycle_review import cycle_review_sections


@roles_required(*REVIEW_PREVIEW_ROLES)
def cycle_review_preview(request: StaffRequest, public_id: UUID) -> HttpResponse:
    cycle = get_cycle_for_review_preview(request.user, public_id)
    form = ReviewAudienceForm(request.GET if "audience" in request.GET else None)
    audience = form.chosen()
    sections = cycle_review_sections(review_scope(cycle, audience)) if audience is not None else []
    return render(
        request,
        "reports/cycle_review/preview.html",
        {
            "cycle": cycle,
            "form": form,
            "audience": audience,
            "notes": review_notes(audience) if audience else [],
            "sections": sections,
            "suppressed_note": suppressed_note(),
        },
        status=200 if audience is not None else 400,
    )


urlpatterns = [
    path(
        "cycle-reviews/preview/<uuid:public_id>/",
        cycle_review_preview,
        name="cycle-review-preview",
    ),
]
