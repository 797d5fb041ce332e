"""System checks for a deployment: `manage.py check --deploy` fails on what a council must set."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The development key is public (it is in the source), so anyone could sign as the
    server with it: a deployment must set its own."""
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Error(
                "AUDITLOOP_SECRET_KEY is not set, so the public development key is in use.",
                hint="Set AUDITLOOP_SECRET_KEY to a long random value kept secret.",
                id="auditloop.E001",
            )
        ]
    return []
