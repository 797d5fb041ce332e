"""The assurance app's routes. Each views module owns a list; this file joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from auditloop.assurance.views import (
    agreement,
    calibration,
    experience,
    meetings,
    moderation_samples,
    regrade,
    revisits,
)

app_name = "assurance"
urlpatterns: list[URLPattern | URLResolver] = [
    *moderation_samples.urlpatterns,
    *meetings.urlpatterns,
    *regrade.urlpatterns,
    *agreement.urlpatterns,
    *revisits.urlpatterns,
    *calibration.urlpatterns,
    *experience.urlpatterns,
]
