from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Data protection: how long each kind of record is kept (retention, with legal holds),
    subject access requests for a child or a member of staff, and who has read a child's
    records (the access review, and a report of unusual reading)."""

    name = "auditloop.privacy"
    label = "privacy"
