from __future__ import annotations

from django.urls import path

from auditloop.sampling import views

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
    path("draws/<uuid:public_id>/", views.draw_detail, name="draw_detail"),
]
