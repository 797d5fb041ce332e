from __future__ import annotations

from django.apps import AppConfig


class AssuranceConfig(AppConfig):
    """Quality assurance of audits: moderation, calibration, agreement figures, revisits."""

    name = "auditloop.assurance"
    label = "assurance"
