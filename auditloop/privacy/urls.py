"""The privacy app's routes, mounted at /data-protection/. Each views module owns a list;
this file joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from auditloop.privacy.views import accessreview, index, retention, subjectaccess

app_name = "privacy"
urlpatterns: list[URLPattern | URLResolver] = [
    *index.urlpatterns,
    *accessreview.urlpatterns,
    *retention.urlpatterns,
    *subjectaccess.urlpatterns,
]
