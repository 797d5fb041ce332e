from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "auditloop.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from auditloop.accounts.signals import access_ending
        from auditloop.api.services import access_ending_received

        # Ending all of someone's access (accounts, a layer below) revokes their tokens.
        access_ending.connect(access_ending_received, dispatch_uid="auditloop.api.access_ending")
