from __future__ import annotations

from django.urls import path

from auditloop.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.admin_home, name="admin_home"),
]
