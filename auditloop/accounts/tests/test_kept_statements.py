"""A statement written once (`auditloop.core.statements.kept_statement`) answers as the ORM's
query it was built from would, with each request's values in its slots; it is kept per
connection, under the key its caller gives, and no more than `KEPT` of them. (Tried on staff
records and teams: the core app has no models of its own to try it on.)"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection, connections

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.core import statements
from auditloop.core.statements import Slot, kept_statement
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

STAFF_KEY = Slot(StaffMember._meta.get_field("id"), -8_675_309_101)
TEAM_KEY = Slot(Team._meta.get_field("id"), -8_675_309_102)


def _kept() -> Any:
    return connections[connection.alias].__dict__.setdefault(statements._KEPT_ON_CONNECTION, {})


def _dates_of(key: int) -> Any:
    return StaffMember.objects.filter(pk=key).values_list("end_date", "name")


def test_a_statements_values_are_converted_as_the_orms_are() -> None:
    leaver = make_staff("leaver", "Lee Leaver", Role.PRACTITIONER, None)
    leaver.end_date = datetime.date(2026, 3, 31)
    leaver.save()
    statement = kept_statement(
        "staff end date", None, lambda: _dates_of(STAFF_KEY.stand_in), [STAFF_KEY]
    )
    assert statement.rows([leaver.pk]) == [[datetime.date(2026, 3, 31), "Lee Leaver"]]
    assert [list(row) for row in _dates_of(leaver.pk)] == statement.rows([leaver.pk])
    assert statement.rows([leaver.pk + 1000]) == []


def test_a_statements_instances_hold_their_related_rows_as_the_orms_do(p: Personas) -> None:
    team = p.south_a
    member = make_staff("member", "Mo Member", Role.PRACTITIONER, team)
    statement = kept_statement(
        "staff with team",
        None,
        lambda: StaffMember.objects.filter(pk=STAFF_KEY.stand_in).select_related("team"),
        [STAFF_KEY],
    )
    (found,) = statement.instances([member.pk])
    orm = StaffMember.objects.select_related("team").get(pk=member.pk)
    assert found.name == orm.name == "Mo Member"
    assert StaffMember._meta.get_field("team").is_cached(found)
    assert found.team == orm.team
    assert found._state.adding is False
    assert found._state.db == orm._state.db


def test_a_slot_may_fill_several_places_of_one_statement(p: Personas) -> None:
    team = p.south_a
    member = make_staff("member", "Mo Member", Role.PRACTITIONER, team)
    statement = kept_statement(
        "staff of a team by key twice",
        None,
        lambda: (
            StaffMember.objects.filter(team_id=TEAM_KEY.stand_in)
            .exclude(team_id=-TEAM_KEY.stand_in)
            .filter(team__pk=TEAM_KEY.stand_in)
            .values_list("pk")
        ),
        [TEAM_KEY],
    )
    assert [member.pk] in statement.rows([team.pk])


def test_a_query_without_the_stand_in_is_refused_when_it_is_written() -> None:
    with pytest.raises(ValueError, match="stand-in"):
        kept_statement("no slot", None, lambda: StaffMember.objects.filter(pk=1), [STAFF_KEY])


def test_a_query_that_admits_nothing_answers_nothing_without_asking() -> None:
    statement = kept_statement(
        "nothing", None, lambda: StaffMember.objects.filter(pk__in=[]), [STAFF_KEY]
    )
    assert statement.rows([1]) == []
    assert statement.instances([1]) == []


def test_statements_are_kept_under_their_key_and_the_oldest_dropped_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(statements, "KEPT", 3)
    _kept().clear()
    built: list[int] = []

    def build(n: int) -> Any:
        built.append(n)
        return _dates_of(STAFF_KEY.stand_in)

    for n in (1, 2, 1, 3, 4, 1, 2):
        kept_statement("by number", n, lambda n=n: build(n), [STAFF_KEY])  # type: ignore[misc]
    # 1, 2 and 3 built; 1 kept when asked again; 4 dropped 2, the least recently used;
    # 1 still kept; 2 built again.
    assert built == [1, 2, 3, 4, 2]
    assert len(_kept()) == 3
