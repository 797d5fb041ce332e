"""A team select lists its options from one query of the values it shows
(`TeamChoiceField`'s options), the same options, in the same order, as the teams themselves
would give."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditloop.accounts.forms import TeamChoiceField
from auditloop.accounts.models import Team
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _from_teams(field: TeamChoiceField) -> list[tuple[str, str]]:
    """The options as the teams themselves give them (Django's own iterator's way)."""
    assert field.queryset is not None
    return [("", str(field.empty_label))] + [
        (str(field.prepare_value(team)), field.label_from_instance(team)) for team in field.queryset
    ]


@pytest.mark.parametrize("to_field_name", ["public_id", None])
def test_a_team_selects_options_are_those_of_its_teams_in_order(
    p: Personas, to_field_name: str | None
) -> None:
    field = TeamChoiceField(
        queryset=Team.objects.select_related("service"),
        to_field_name=to_field_name,
        empty_label="All teams",
    )
    with CaptureQueriesContext(connection) as captured:
        options = list(iter(field.widget.choices))
    assert len(captured.captured_queries) == 1
    assert [(str(v), label) for v, label in options] == _from_teams(field)
    assert len(options) == Team.objects.count() + 1 > 3


def test_a_team_select_of_a_few_teams_lists_only_those(p: Personas) -> None:
    field = TeamChoiceField(queryset=Team.objects.filter(pk=p.north_a.pk), empty_label=None)
    assert list(iter(field.widget.choices)) == [
        (p.north_a.pk, f"{p.north_a.name} ({p.north_a.service.name})")
    ]
    assert field.clean(str(p.north_a.pk)) == p.north_a
