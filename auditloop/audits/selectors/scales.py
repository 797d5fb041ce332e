"""Reads of grading scales."""

from __future__ import annotations

from django.db.models import Prefetch

from auditloop.audits.models import (
    Grade,
    GradingScale,
    ToolVersion,
)


def grading_scales_for_list() -> list[GradingScale]:
    """Every scale with its grades (`grade_list`) and `in_use` (frozen when true)."""
    published_scale_ids = set(
        ToolVersion.objects.filter(is_published=True).values_list("grading_scale_id", flat=True)
    )
    scales: list[GradingScale] = list(
        GradingScale.objects.prefetch_related(
            Prefetch("grades", queryset=Grade.objects.order_by("-value"), to_attr="grade_list")
        ).order_by("name")
    )
    for scale in scales:
        scale.in_use = scale.pk in published_scale_ids  # type: ignore[attr-defined]
    return scales
