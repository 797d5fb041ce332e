from __future__ import annotations

from django.urls import path

from auditloop.accounts.views import (
    access_requests,
    common,
    logins,
    logs,
    organisation,
    second_factor,
    sessions,
    staff,
)

app_name = "accounts"
urlpatterns = [
    path("", common.admin_home, name="admin_home"),
    path("services/", organisation.service_list, name="service_list"),
    path("services/new/", organisation.service_create, name="service_create"),
    path("services/<uuid:public_id>/", organisation.service_edit, name="service_edit"),
    path("teams/", organisation.team_list, name="team_list"),
    path("teams/new/", organisation.team_create, name="team_create"),
    path("teams/<uuid:public_id>/", organisation.team_edit, name="team_edit"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<uuid:public_id>/", staff.staff_detail, name="staff_detail"),
    path("staff/<uuid:public_id>/edit/", staff.staff_edit, name="staff_edit"),
    path("staff/<uuid:public_id>/deactivate/", staff.staff_deactivate, name="staff_deactivate"),
    path("staff/<uuid:public_id>/reactivate/", staff.staff_reactivate, name="staff_reactivate"),
    path("staff/<uuid:public_id>/login/", logins.staff_login_create, name="staff_login_create"),
    path(
        "staff/<uuid:public_id>/reset-password/",
        logins.staff_password_reset,
        name="staff_password_reset",
    ),
    path(
        "staff/<uuid:public_id>/second-factor/reset/",
        second_factor.staff_second_factor_reset,
        name="staff_second_factor_reset",
    ),
    path("staff/<uuid:public_id>/end-access/", sessions.staff_access_end, name="staff_access_end"),
    path("role-changes/", access_requests.access_request_list, name="access_requests"),
    path(
        "role-changes/<uuid:public_id>/",
        access_requests.access_request_detail,
        name="access_request",
    ),
    path(
        "role-changes/<uuid:public_id>/approve/",
        access_requests.access_request_approve,
        name="access_request_approve",
    ),
    path(
        "role-changes/<uuid:public_id>/reject/",
        access_requests.access_request_reject,
        name="access_request_reject",
    ),
    path("events/", logs.event_list, name="event_list"),
    path("access-log/", logs.access_log, name="access_log"),
    path("refused-requests/", logs.refused_requests, name="refused_requests"),
    path("failed-sign-ins/", logs.failed_sign_ins, name="failed_sign_ins"),
    path("my-password/", logins.password_change, name="password_change"),
]
