from __future__ import annotations

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "auditloop.imports"
    label = "imports"
