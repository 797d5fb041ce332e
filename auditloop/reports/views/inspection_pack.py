"""The inspection pack for Ofsted: an audit lead or senior leader chooses a period and a format
and downloads every audit they may read in their services, submitted or completed in it, with
its grades, moderation, actions and revisit outcome, and the summary figures."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Service
from auditloop.reports.access.inspection_pack import PACK_ROLES, pack_service_ids
from auditloop.reports.forms.inspection_pack import InspectionPackForm
from auditloop.reports.rules.inspection_pack import MAX_YEARS
from auditloop.reports.services.inspection_pack import inspection_pack_make


@roles_required(*PACK_ROLES)
def inspection_pack_page(request: StaffRequest) -> HttpResponse:
    """The form (GET), and the download (POST): a POST, so that making a pack, which is logged,
    is never repeated by a link or a browser's prefetch."""
    form = InspectionPackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        made = inspection_pack_make(
            by=request.staff,
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
            fmt=form.chosen_format,
        )
        response = HttpResponse(made.content, content_type=made.content_type)
        response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
        # It names children's cases: no copy kept by a browser or a proxy.
        response["Cache-Control"] = "no-store"
        return response
    services = Service.objects.filter(pk__in=pack_service_ids(request.staff)).order_by("name")
    return render(
        request,
        "reports/inspection_pack/page.html",
        {"form": form, "services": list(services), "max_years": MAX_YEARS},
    )


urlpatterns = [
    path("inspection-pack/", inspection_pack_page, name="inspection_pack"),
]
