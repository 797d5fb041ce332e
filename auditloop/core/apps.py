from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "auditloop.core"
    label = "core"

    def ready(self) -> None:
        # Registers the deployment checks.
        from auditloop.core import checks  # noqa: F401
