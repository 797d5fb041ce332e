from __future__ import annotations

from django.urls import path

from auditloop.sampling.views import cycles, draws, months, picks

app_name = "sampling"
urlpatterns = [
    path("cycles/", cycles.cycle_list, name="cycle_list"),
    path("cycles/new/", cycles.cycle_create_view, name="cycle_create"),
    path("cycles/<uuid:public_id>/", cycles.cycle_detail, name="cycle_detail"),
    path("cycles/<uuid:public_id>/overview/", cycles.cycle_overview_view, name="cycle_overview"),
    path("cycles/<uuid:public_id>/auditors/", cycles.cycle_auditors_view, name="cycle_auditors"),
    path("cycles/<uuid:public_id>/quotas/", cycles.quota_add_view, name="quota_add"),
    path(
        "cycles/<uuid:public_id>/quotas/<uuid:quota_id>/remove/",
        cycles.quota_remove_view,
        name="quota_remove",
    ),
    path("cycles/<uuid:public_id>/draw/", draws.draw_create_view, name="draw_create"),
    path("cycles/<uuid:public_id>/edit/", cycles.cycle_edit_view, name="cycle_edit"),
    path("cycles/<uuid:public_id>/choose/", picks.choose_view, name="choose"),
    path(
        "cycles/<uuid:public_id>/choose/find/",
        picks.choose_find_view,
        name="choose_find",
    ),
    path("cycles/<uuid:public_id>/choose/add/", picks.choose_add_view, name="choose_add"),
    path(
        "cycles/<uuid:public_id>/choose/remove/",
        picks.choose_remove_view,
        name="choose_remove",
    ),
    path(
        "cycles/<uuid:public_id>/choose/plan/",
        picks.choose_plan_view,
        name="choose_plan",
    ),
    path("cycles/<uuid:public_id>/plan-month/", months.month_plan_view, name="month_plan"),
    path(
        "cycles/<uuid:public_id>/months/<int:year>/<int:month>/",
        months.month_detail,
        name="month_detail",
    ),
    path("draws/<uuid:public_id>/", draws.draw_detail, name="draw_detail"),
]
