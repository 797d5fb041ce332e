from __future__ import annotations

from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Learning from audit: learning points and themes, anonymised key messages and briefings,
    team pictures with small groups suppressed, training needs and whether training worked."""

    name = "auditloop.learning"
    label = "learning"
