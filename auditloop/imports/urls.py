from __future__ import annotations

from django.urls import path

from auditloop.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_index, name="index"),
    path("staff-list-template.csv", views.staff_template, name="staff_template"),
    path("<uuid:public_id>/", views.import_run_detail, name="run"),
    path("<uuid:public_id>/progress/", views.import_run_progress, name="progress"),
    path("<uuid:public_id>/problems.csv", views.import_issues_csv, name="issues_csv"),
    path("<uuid:public_id>/problems.xlsx", views.import_issues_xlsx, name="issues_xlsx"),
]
