"""The learning app's routes. Each views module owns a list; this file joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from auditloop.learning.views import (
    briefings,
    feedback,
    key_messages,
    learning_points,
    team_picture,
    themes,
    training,
)

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = [
    *learning_points.urlpatterns,
    *themes.urlpatterns,
    *key_messages.urlpatterns,
    *briefings.urlpatterns,
    *team_picture.urlpatterns,
    *feedback.urlpatterns,
    *training.urlpatterns,
]
