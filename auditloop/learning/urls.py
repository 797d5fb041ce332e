"""The learning app's routes. Each views module owns a list; this file joins them."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

from auditloop.learning.views import key_messages

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = []
urlpatterns += key_messages.urlpatterns
