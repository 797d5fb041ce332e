"""`auditloop create-administrator --name NAME --username USERNAME [--email EMAIL]`: the first
administrator of a new installation, or one more when none can be reached."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from auditloop.accounts.models import Role
from auditloop.accounts.services.logins import staff_login_create
from auditloop.accounts.services.staff import StaffDetails, staff_create


class Command(BaseCommand):
    help = (
        "Add an administrator with a login, as the system: whoever can run this command on "
        "the server already holds the database, so no second person is asked. Prints a "
        "one-time password once; it signs in once and must then be changed. On the web "
        "pages, the administrator's role needs another administrator's or a senior leader's "
        "approval."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Their full name.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="", help="Told by email of the login, if given.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                staff = staff_create(
                    by=None,
                    details=StaffDetails(
                        name=options["name"], role=Role.ADMINISTRATOR, email=options["email"]
                    ),
                )
                user, password = staff_login_create(
                    staff=staff, by=None, username=options["username"]
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Administrator {staff.name} can sign in as {user.username}.")
        self.stdout.write(f"One-time password (shown once, never stored): {password}")
