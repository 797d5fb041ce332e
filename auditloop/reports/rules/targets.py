"""A target in the council's own words."""

from __future__ import annotations

from auditloop.reports.models import TargetMeasure


def target_words(measure: str, percent: int) -> str:
    """ "No more than 10% Inadequate", "At least 40% Good or better"."""
    if measure == TargetMeasure.INADEQUATE_AT_MOST:
        return f"No more than {percent}% Inadequate"
    return f"At least {percent}% Good or better"
