"""A partner agency auditor's login records the agency they audit for, which names their row
in the findings by agency; nobody else's login records one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.services.logins import staff_login_create
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _staff(role: Role) -> StaffMember:
    return StaffMember.objects.create(name="Nia New", email="nia@police.example", role=role)


def test_a_partners_login_records_their_agency(p: Personas) -> None:
    staff = _staff(Role.PARTNER)
    user, _ = staff_login_create(
        staff=staff, by=p.administrator, username="nia", organisation=" Northshire Police "
    )
    assert user.organisation == "Northshire Police"


def test_a_partners_login_needs_their_agency(p: Personas) -> None:
    with pytest.raises(ValidationError, match="Enter the agency they audit for"):
        staff_login_create(staff=_staff(Role.PARTNER), by=p.administrator, username="nia")


def test_a_council_login_records_no_agency(p: Personas) -> None:
    with pytest.raises(ValidationError, match="Only a partner agency auditor"):
        staff_login_create(
            staff=_staff(Role.AUDITOR), by=p.administrator, username="nia", organisation="Police"
        )


def test_the_administrator_records_the_agency_on_the_login_page(p: Personas) -> None:
    staff = _staff(Role.PARTNER)
    client = p.client_for(p.administrator)
    url = reverse("accounts:staff_login_create", args=[staff.public_id])
    response = client.post(url, {"username": "nia", "organisation": ""})
    assert "Enter the agency they audit for" in response.content.decode()
    client.post(url, {"username": "nia", "organisation": "Northshire Police"})
    staff.refresh_from_db()
    assert staff.user is not None and staff.user.organisation == "Northshire Police"
    detail = client.get(reverse("accounts:staff_detail", args=[staff.public_id]))
    assert "Northshire Police" in detail.content.decode()
