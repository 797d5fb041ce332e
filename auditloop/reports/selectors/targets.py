"""The targets the council has set, as its leads read them."""

from __future__ import annotations

from django.db.models import F, QuerySet

from auditloop.reports.models import Target


def targets_all() -> QuerySet[Target]:
    """Every target: the council-wide ones first, then each service's by name; by measure."""
    return Target.objects.select_related("service", "set_by").order_by(
        F("service__name").asc(nulls_first=True), "service_id", "measure"
    )
