"""The seven demo logins' password: from AUDITLOOP_DEMO_PASSWORD, or generated once and kept in
`var/demo-password` (mode 0600) so a second `auditloop demo` signs in with the same one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from auditloop.accounts.models import User
from auditloop.core.events import event_record
from auditloop.demo.council import DEMO_LOGINS

PASSWORD_ENV = "AUDITLOOP_DEMO_PASSWORD"  # noqa: S105
PASSWORD_FILE_ENV = "AUDITLOOP_DEMO_PASSWORD_FILE"  # noqa: S105


def demo_password_path() -> Path:
    """Where the generated password is kept (AUDITLOOP_DEMO_PASSWORD_FILE overrides it)."""
    override = os.environ.get(PASSWORD_FILE_ENV)
    return Path(override) if override else Path(settings.BASE_DIR) / "var" / "demo-password"


def demo_password() -> tuple[str, str]:
    """The demo password and where it came from, generating and storing one on first use."""
    given = os.environ.get(PASSWORD_ENV, "").strip()
    if given:
        return given, f"from {PASSWORD_ENV}"
    path = demo_password_path()
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored, f"kept in {path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    # Created readable by its owner only, before the secret is written into it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    os.chmod(path, 0o600)
    return password, f"generated and kept in {path}"


@transaction.atomic
def demo_logins_set_password(*, password: str) -> list[str]:
    """Give the demo logins that exist this password (one hash for all seven: they share it).
    Returns the usernames that were not found."""
    usernames = [username for username, _ in DEMO_LOGINS]
    users = list(User.objects.filter(username__in=usernames))
    if users:
        User.objects.filter(pk__in=[u.pk for u in users]).update(
            password=make_password(password), is_active=True
        )
        event_record(
            actor=None,
            verb="demo.logins_prepared",
            target=users[0],
            summary=f"Password set for {len(users)} demo logins.",
            after={"usernames": sorted(u.username for u in users)},
        )
    found = {u.username for u in users}
    return [u for u in usernames if u not in found]
