"""Signing in with a username and password, where a password an administrator set works once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from auditloop.accounts.models import User
from auditloop.accounts.services.logins import one_time_password_spend


class OneTimePasswordBackend(ModelBackend):
    """Django's own check of the password; then a one-time password (a new login's, or one
    set by a reset) is used up, and a second sign-in with it fails like a wrong password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if not isinstance(user, User):
            return None
        if user.password_change_required and not one_time_password_spend(user=user):
            return None
        return user
