from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "auditloop.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        # Registers the deployment checks.
        from auditloop.core import checks  # noqa: F401
        from auditloop.core.dataversion import watch_connection
        from auditloop.core.signin import session_start

        user_logged_in.connect(session_start, dispatch_uid="auditloop.core.session_start")
        # Every connection, in every process, notes the writes that change figures.
        connection_created.connect(watch_connection, dispatch_uid="auditloop.core.data_version")
