"""One's own second factor, at /account/second-factor/ (every signed-in person's pages, not
the administrators')."""

from __future__ import annotations

from django.urls import path

from auditloop.accounts.views import second_factor

app_name = "second_factor"
urlpatterns = [
    path("", second_factor.verify, name="verify"),
    path("set-up/", second_factor.set_up, name="set_up"),
    path("manage/", second_factor.manage, name="manage"),
    path("recovery-codes/", second_factor.recovery_codes_renew, name="recovery_codes_renew"),
]
