"""Subject access requests: the form, answered with the export's zip as the response to its
POST (see `services.subjectaccess` for why it is never stored)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.privacy.access.roles import SUBJECT_ACCESS_ROLES
from auditloop.privacy.forms.subjectaccess import SubjectAccessForm
from auditloop.privacy.rules.subjectaccess import SubjectKind
from auditloop.privacy.services.subjectaccess import subject_access_answer


@roles_required(*SUBJECT_ACCESS_ROLES)
def subject_access(request: StaffRequest) -> HttpResponse:
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if form.cleaned_data["kind"] == SubjectKind.CHILD:
            export = subject_access_answer(by=request.staff, case=form.case)
        else:
            export = subject_access_answer(by=request.staff, staff=form.cleaned_data["staff"])
        response = HttpResponse(export.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "privacy/subjectaccess/form.html", {"form": form})


urlpatterns = [path("subject-access/", subject_access, name="subject_access")]
