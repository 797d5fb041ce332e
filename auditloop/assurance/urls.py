"""The assurance app's routes. Each views module owns a list; this file joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from auditloop.assurance.views import calibration, meetings

app_name = "assurance"
urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += calibration.urlpatterns
urlpatterns += meetings.urlpatterns
