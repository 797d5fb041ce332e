"""Who oversees what is the accounts app's question, asked the same way by every app."""

from __future__ import annotations

from auditloop.accounts.models import Role
from auditloop.accounts.selectors import (
    auditors_in_services_of,
    oversees_every_service,
    services_overseen,
)
from auditloop.testing import Personas, make_staff


def test_an_audit_lead_oversees_their_services_and_their_own_teams(p: Personas) -> None:
    lead = make_staff("lead2", "Lou Lead", Role.MODERATOR, p.south_a, services=[p.north])
    assert services_overseen(lead) == sorted([p.north.pk, p.south.pk])


def test_a_practitioner_oversees_no_service(p: Personas) -> None:
    assert services_overseen(p.practitioner) == []


def test_overseeing_every_service_needs_every_one(p: Personas) -> None:
    assert not oversees_every_service(p.moderator)
    p.moderator.services.add(p.south)
    assert oversees_every_service(p.moderator)


def test_the_auditors_in_a_leads_services_are_those_who_can_audit_there(p: Personas) -> None:
    names = [s.name for s in auditors_in_services_of(p.moderator)]
    assert "Alex Auditor" in names
    assert "Mary Manager" in names
    assert "Pat Practitioner" not in names
    assert "Sam South" not in names
