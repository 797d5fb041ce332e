from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo council and its commands (`seed-demo`, `demo`): the top of the layers."""

    name = "auditloop.demo"
    label = "demo"
