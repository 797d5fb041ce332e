from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from auditloop.core import views, views_public
from auditloop.core.access import public

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<uuid:public_id>/", views.notification_open, name="notification_open"),
    path(
        "notifications/<uuid:public_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("accessibility/", views_public.accessibility, name="accessibility"),
    path("health/", views_public.health, name="health"),
    path("favicon.ico", views_public.favicon, name="favicon"),
]
