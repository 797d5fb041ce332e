"""The audits app's routes. Each views module owns a list; this file joins them."""

from __future__ import annotations

from auditloop.audits.views import (
    actions,
    audits,
    escalations,
    family,
    feedback,
    partners,
    planning,
    scales,
    tool_files,
    tools,
)

app_name = "audits"
urlpatterns = [
    *audits.urlpatterns,
    *planning.urlpatterns,
    *actions.urlpatterns,
    *escalations.urlpatterns,
    *feedback.urlpatterns,
    *family.urlpatterns,
    *tools.urlpatterns,
    *tool_files.urlpatterns,
    *scales.urlpatterns,
    *partners.urlpatterns,
]
