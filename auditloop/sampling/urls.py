from __future__ import annotations

from django.urls import path

from auditloop.sampling import views, views_planning

app_name = "sampling"
urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_create_view, name="cycle_create"),
    path("cycles/<uuid:public_id>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<uuid:public_id>/overview/", views.cycle_overview_view, name="cycle_overview"),
    path("cycles/<uuid:public_id>/auditors/", views.cycle_auditors_view, name="cycle_auditors"),
    path("cycles/<uuid:public_id>/quotas/", views.quota_add_view, name="quota_add"),
    path(
        "cycles/<uuid:public_id>/quotas/<uuid:quota_id>/remove/",
        views.quota_remove_view,
        name="quota_remove",
    ),
    path("cycles/<uuid:public_id>/draw/", views.draw_create_view, name="draw_create"),
    path("cycles/<uuid:public_id>/edit/", views.cycle_edit_view, name="cycle_edit"),
    path("cycles/<uuid:public_id>/choose/", views_planning.choose_view, name="choose"),
    path(
        "cycles/<uuid:public_id>/choose/find/",
        views_planning.choose_find_view,
        name="choose_find",
    ),
    path("cycles/<uuid:public_id>/choose/add/", views_planning.choose_add_view, name="choose_add"),
    path(
        "cycles/<uuid:public_id>/choose/remove/",
        views_planning.choose_remove_view,
        name="choose_remove",
    ),
    path(
        "cycles/<uuid:public_id>/choose/plan/",
        views_planning.choose_plan_view,
        name="choose_plan",
    ),
    path("cycles/<uuid:public_id>/plan-month/", views_planning.month_plan_view, name="month_plan"),
    path(
        "cycles/<uuid:public_id>/months/<int:year>/<int:month>/",
        views_planning.month_detail,
        name="month_detail",
    ),
    path("draws/<uuid:public_id>/", views.draw_detail, name="draw_detail"),
]
