from __future__ import annotations

from django.urls import path

from auditloop.casefiles import views

# The namespace stays "cases": these are the case files' pages, wherever their code sits.
app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.case_edit, name="edit"),
    path("<uuid:public_id>/close/", views.case_close, name="close"),
    path("<uuid:public_id>/reopen/", views.case_reopen, name="reopen"),
]
