from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "auditloop.core"
    label = "core"
