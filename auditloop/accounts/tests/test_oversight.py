"""Who oversees what is the accounts app's question, asked the same way by every app."""

from __future__ import annotations

from typing import Any

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


def test_the_services_overseen_are_looked_up_once_per_staff_record(
    p: Personas, django_assert_num_queries: Any
) -> None:
    services_overseen(p.moderator)
    with django_assert_num_queries(0):
        assert services_overseen(p.moderator) == [p.north.pk]


def test_a_change_of_services_on_the_same_record_is_seen_at_once(p: Personas) -> None:
    assert services_overseen(p.moderator) == [p.north.pk]
    p.moderator.services.add(p.south)
    assert services_overseen(p.moderator) == sorted([p.north.pk, p.south.pk])
    p.moderator.services.clear()
    p.moderator.team = p.south_a
    assert services_overseen(p.moderator) == [p.south.pk]


def test_a_change_made_from_the_services_side_or_through_another_copy_is_seen_at_once(
    p: Personas,
) -> None:
    assert services_overseen(p.moderator) == [p.north.pk]
    p.south.overseers.add(p.moderator)
    assert services_overseen(p.moderator) == sorted([p.north.pk, p.south.pk])
    type(p.moderator).objects.get(pk=p.moderator.pk).services.remove(p.south)
    assert services_overseen(p.moderator) == [p.north.pk]


def test_changing_the_answer_given_changes_nothing_kept(p: Personas) -> None:
    services_overseen(p.moderator).append(p.south.pk)
    assert services_overseen(p.moderator) == [p.north.pk]
