"""System checks for a deployment: `manage.py check --deploy` fails on what a council must set."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.mail import InvalidMailer

from auditloop.core.accesslog import spool_directory, spooled_files


@register(Tags.security, deploy=True)
def secret_key_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The development key is public (it is in the source), so anyone could sign as the
    server with it: a deployment must set its own."""
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Error(
                "AUDITLOOP_SECRET_KEY is not set, so the public development key is in use.",
                hint="Set AUDITLOOP_SECRET_KEY to a long random value kept secret.",
                id="auditloop.E001",
            )
        ]
    return []


@register()
def access_log_spool_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Reads the database refused wait in the spool; say so, so an operator can replay them."""
    waiting = spooled_files()
    if waiting:
        return [
            Warning(
                f"{len(waiting)} file(s) of access-log reads are waiting in the spool "
                f"({spool_directory()}): the database refused them when they were read.",
                hint="Run `auditloop access-log-replay` once the database takes writes.",
                id="auditloop.W001",
            )
        ]
    return []


@register(deploy=True)
def access_log_spool_writable_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Where the database refuses an access-log write, the spool keeps it: a spool the server
    cannot write to would lose those reads."""
    directory = spool_directory()
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
        return []
    return [
        Warning(
            f"The access-log spool ({directory}) cannot be written: reads the database "
            "refuses (e.g. SQLite locked by a long import) would be lost.",
            hint="Set AUDITLOOP_ACCESS_LOG_SPOOL to a folder the server's user can write.",
            id="auditloop.W002",
        )
    ]


# The browsers' preload list (hstspreload.org) takes a domain only when its header names
# includeSubDomains and a max-age of at least a year.
PRELOAD_MIN_SECONDS = 365 * 24 * 60 * 60


@register(Tags.security, deploy=True)
def hsts_preload_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """AUDITLOOP_HSTS_PRELOAD on with a header the preload list would refuse is a setting that
    does not do what the council asked for: say what is missing."""
    if not settings.SECURE_HSTS_PRELOAD:
        return []
    missing = []
    if not settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        missing.append("AUDITLOOP_HSTS_INCLUDE_SUBDOMAINS=1")
    if settings.SECURE_HSTS_SECONDS < PRELOAD_MIN_SECONDS:
        missing.append(f"AUDITLOOP_HSTS_SECONDS of at least {PRELOAD_MIN_SECONDS} (a year)")
    if not missing:
        return []
    return [
        Warning(
            "AUDITLOOP_HSTS_PRELOAD is on, but the browsers' preload list refuses a header "
            "without " + " and ".join(missing) + ".",
            hint="Set " + " and ".join(missing) + ", or AUDITLOOP_HSTS_PRELOAD=0.",
            id="auditloop.W003",
        )
    ]


@register(deploy=True)
def mailer_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Notices (unsafe-child flags, key messages, reminders) go by email: a mailer that cannot
    be built (the SMTP backend without AUDITLOOP_EMAIL_HOST) would fail at every send."""
    try:
        mail.mailers["default"]
    except InvalidMailer as refused:
        return [
            Error(
                f"Email cannot be sent: {refused}",
                hint="Set AUDITLOOP_EMAIL_HOST (and AUDITLOOP_EMAIL_PORT, AUDITLOOP_EMAIL_USER, "
                "AUDITLOOP_EMAIL_PASSWORD as the council's relay needs) for the SMTP backend.",
                id="auditloop.E002",
            )
        ]
    return []
