"""The reports app's routes. Each views module owns a list; this file joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from auditloop.reports.views import (
    cycle_review,
    dashboards,
    experience,
    inspection_pack,
    reviews,
    targets,
)

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    *dashboards.urlpatterns,
    *experience.urlpatterns,
    *targets.urlpatterns,
    *cycle_review.urlpatterns,
    *reviews.urlpatterns,
    *inspection_pack.urlpatterns,
]
