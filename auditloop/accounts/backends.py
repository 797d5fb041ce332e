"""Signing in with a username and password, where a password an administrator set works once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from auditloop.accounts.models import StaffMember, User
from auditloop.accounts.rules.sessions import has_left
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

    def user_can_authenticate(self, user: Any) -> bool:
        """Django's rule (an active login), and not someone whose end date on the staff list
        has come, even before `auditloop leavers` closes their login."""
        if not super().user_can_authenticate(user):
            return False
        staff = getattr(user, "staff", None)
        return not (
            isinstance(staff, StaffMember) and has_left(staff.end_date, timezone.localdate())
        )

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in login of a request, with its staff record in the same query: every
        page asks for it (the access decorators, the leaver check)."""
        user = User.objects.select_related("staff").filter(pk=user_id).first()
        if user is None or not user.is_active:
            return None
        return user
