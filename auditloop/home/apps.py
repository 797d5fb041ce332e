from __future__ import annotations

from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The home page and the menu: the top of the layers, it may use every app."""

    name = "auditloop.home"
    label = "home"
