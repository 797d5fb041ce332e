"""The first administrator comes from the command line, as the system."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import AccessRequest, Role, StaffMember
from auditloop.core.models import Event


@pytest.mark.django_db
def test_the_first_administrator_is_made_on_the_command_line_with_a_one_time_password() -> None:
    out = io.StringIO()
    call_command("create_administrator", name="Ada Admin", username="ada", stdout=out)
    staff = StaffMember.objects.get(name="Ada Admin")
    assert staff.role == Role.ADMINISTRATOR
    assert not AccessRequest.objects.exists()
    found = re.search(r"One-time password .*: (\S+)", out.getvalue())
    assert found is not None
    client = Client()
    client.post(reverse("login"), {"username": "ada", "password": found.group(1)})
    assert client.get(reverse("accounts:admin_home"))["Location"] == reverse(
        "accounts:password_change"
    )
    assert set(Event.objects.values_list("actor", flat=True).distinct()) >= {None}


@pytest.mark.django_db
def test_a_taken_username_is_refused_with_a_clear_message() -> None:
    call_command("create_administrator", name="Ada Admin", username="ada", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already taken"):
        call_command("create_administrator", name="Abe Admin", username="ada", stdout=io.StringIO())
    assert not StaffMember.objects.filter(name="Abe Admin").exists()
