from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "auditloop.accounts"
    label = "accounts"
    verbose_name = "Services, teams and staff"
