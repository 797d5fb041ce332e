"""The data protection page: what each of the privacy pages is for, for the roles that use
them."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.privacy.access.accessreview import READING_THRESHOLD_ROLES
from auditloop.privacy.access.roles import (
    ACCESS_REVIEW_ROLES,
    PRIVACY_ROLES,
    RETENTION_ROLES,
    SUBJECT_ACCESS_ROLES,
)


@roles_required(*PRIVACY_ROLES)
def index(request: StaffRequest) -> HttpResponse:
    role = request.staff.role
    return render(
        request,
        "privacy/index.html",
        {
            "reviews_access": role in ACCESS_REVIEW_ROLES,
            "sets_reading_thresholds": role in READING_THRESHOLD_ROLES,
            "answers_subject_access": role in SUBJECT_ACCESS_ROLES,
            "keeps_retention": role in RETENTION_ROLES,
        },
    )


urlpatterns = [path("", index, name="index")]
