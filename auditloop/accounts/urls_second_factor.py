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
    path("passkeys/add/", second_factor.passkey_add, name="passkey_add"),
    path("passkeys/sign-in/", second_factor.passkey_sign_in, name="passkey_sign_in"),
    path(
        "passkeys/<uuid:public_id>/remove/",
        second_factor.passkey_remove,
        name="passkey_remove",
    ),
    path("recovery-codes/", second_factor.recovery_codes_renew, name="recovery_codes_renew"),
]
