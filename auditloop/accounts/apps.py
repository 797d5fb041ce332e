from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "auditloop.accounts"
    label = "accounts"
    verbose_name = "Services, teams and staff"

    def ready(self) -> None:
        # twofactor: look up whether a login has a second factor as it signs in.
        from auditloop.accounts import second_factor  # noqa: F401
