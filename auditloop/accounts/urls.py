from __future__ import annotations

from django.urls import path

from auditloop.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.admin_home, name="admin_home"),
    path("services/", views.service_list, name="service_list"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<uuid:public_id>/", views.service_edit, name="service_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<uuid:public_id>/", views.team_edit, name="team_edit"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<uuid:public_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<uuid:public_id>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<uuid:public_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<uuid:public_id>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
    path("staff/<uuid:public_id>/login/", views.staff_login_create, name="staff_login_create"),
    path(
        "staff/<uuid:public_id>/reset-password/",
        views.staff_password_reset,
        name="staff_password_reset",
    ),
    path("role-changes/", views.access_request_list, name="access_requests"),
    path("role-changes/<uuid:public_id>/", views.access_request_detail, name="access_request"),
    path(
        "role-changes/<uuid:public_id>/approve/",
        views.access_request_approve,
        name="access_request_approve",
    ),
    path(
        "role-changes/<uuid:public_id>/reject/",
        views.access_request_reject,
        name="access_request_reject",
    ),
    path("events/", views.event_list, name="event_list"),
    path("access-log/", views.access_log, name="access_log"),
    path("refused-requests/", views.refused_requests, name="refused_requests"),
    path("failed-sign-ins/", views.failed_sign_ins, name="failed_sign_ins"),
    path("my-password/", views.password_change, name="password_change"),
]
