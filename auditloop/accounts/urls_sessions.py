"""A signed-in person's own sessions, mounted at /account/sessions/."""

from __future__ import annotations

from django.urls import path

from auditloop.accounts.views import sessions

app_name = "sessions"
urlpatterns = [
    path("", sessions.session_list, name="list"),
    path("end-others/", sessions.sessions_end_others, name="end_others"),
    path("<uuid:public_id>/end/", sessions.session_end, name="end"),
]
