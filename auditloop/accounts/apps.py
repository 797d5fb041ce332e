from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "auditloop.accounts"
    label = "accounts"
    verbose_name = "Services, teams and staff"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Registers the single sign-on configuration checks.
        from auditloop.accounts import checks  # noqa: F401
        from auditloop.accounts.signin_state import signin_method_record

        user_logged_in.connect(
            signin_method_record, dispatch_uid="auditloop.accounts.signin_method_record"
        )
        # twofactor: look up whether a login has a second factor as it signs in.
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from auditloop.accounts import second_factor  # noqa: F401
        from auditloop.accounts.services.sessions import signed_in_received, signed_out_received

        # Each signed-in session is recorded for its owner's list, and forgotten at sign-out.
        user_logged_in.connect(signed_in_received, dispatch_uid="auditloop.accounts.signed_in")
        user_logged_out.connect(signed_out_received, dispatch_uid="auditloop.accounts.signed_out")

        # Someone's overseen services are worked out once per staff record; a change of
        # anyone's services, from either side of the link, forgets every answer kept.
        from django.db.models.signals import m2m_changed

        from auditloop.accounts.models import StaffMember
        from auditloop.accounts.selectors import services_overseen_forget

        m2m_changed.connect(
            services_overseen_forget,
            sender=StaffMember.services.through,
            dispatch_uid="auditloop.accounts.services_overseen_forget",
        )
