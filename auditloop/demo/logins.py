"""The demo logins' password: from AUDITLOOP_DEMO_PASSWORD, or generated once and kept in
`var/demo-password` (mode 0600) so a second `auditloop demo` signs in with the same one; and
the second factor of the privileged demo logins (an authenticator app's secret and recovery
codes, kept in the database and printed by `auditloop demo`)."""

from __future__ import annotations

import os
import secrets
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    """Give the demo logins that exist this password (one hash for all of them: they share it).
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


# The demo logins whose roles need a second factor by default (AUDITLOOP_SECOND_FACTOR_ROLES).
DEMO_SECOND_FACTOR_LOGINS = ("moderator", "leader", "admin", "dpo", "partner")
DEMO_RECOVERY_CODES = 10


@dataclass(frozen=True)
class DemoSecondFactor:
    username: str
    secret: str  # base32, as an authenticator app takes it
    recovery_codes: list[str]


@transaction.atomic
def demo_logins_set_second_factor() -> list[DemoSecondFactor]:
    """Give each privileged demo login an authenticator app and recovery codes, keeping those
    it has (a second `auditloop demo` prints the same secret, and the codes not yet used;
    new ones once all are used). Returns what to print."""
    prepared: list[DemoSecondFactor] = []
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_SECOND_FACTOR_LOGINS)}
    for username in DEMO_SECOND_FACTOR_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if app is None:
            app = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        codes_device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if codes_device is None:
            codes_device = StaticDevice.objects.create(
                user=user, name="Recovery codes", confirmed=True
            )
        codes = list(codes_device.token_set.order_by("id").values_list("token", flat=True))
        if not codes:
            codes = [StaticToken.random_token() for _ in range(DEMO_RECOVERY_CODES)]
            StaticToken.objects.bulk_create(
                StaticToken(device=codes_device, token=code) for code in codes
            )
        secret = b32encode(unhexlify(app.key)).decode("ascii")
        prepared.append(DemoSecondFactor(username, secret, codes))
    if prepared:
        event_record(
            actor=None,
            verb="demo.second_factors_prepared",
            target=users[prepared[0].username],
            summary=f"Second factor ready for {len(prepared)} demo logins.",
            after={"usernames": [p.username for p in prepared]},
        )
    return prepared
