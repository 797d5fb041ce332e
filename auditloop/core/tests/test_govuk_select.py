"""A select drawn by `govuk_field`: its options, the one chosen, escaping, and one query for
a model's choices."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from auditloop.accounts.forms import TeamChoiceField
from auditloop.accounts.models import Team
from auditloop.testing import Personas


class TeamFilter(forms.Form):
    team = TeamChoiceField(
        queryset=Team.objects.select_related("service").order_by("name"),
        to_field_name="public_id",
        required=False,
        empty_label="All teams",
    )


class StateFilter(forms.Form):
    state = forms.ChoiceField(
        choices=[("open", "Open"), ("closed", "Closed <& 'quoted'>")], required=False
    )


def _render(form: forms.Form, name: str) -> str:
    return Template(f"{{% load govuk %}}{{% govuk_field form.{name} %}}").render(
        Context({"form": form})
    )


def test_a_select_of_a_models_rows_asks_the_database_once_and_marks_the_chosen_row(
    p: Personas,
) -> None:
    teams = list(Team.objects.order_by("name"))
    assert len(teams) >= 2
    chosen = teams[1]
    form = TeamFilter({"team": str(chosen.public_id)})
    assert form.is_valid()  # as the list page does first: one query, for the chosen team
    with CaptureQueriesContext(connection) as captured:
        html = _render(form, "team")
    assert len(captured) == 1
    assert "COUNT(" not in captured[0]["sql"].upper()
    assert html.count("<option") == len(teams) + 1
    assert '<option value="">All teams</option>' in html
    assert f'<option value="{chosen.public_id}" selected>' in html
    assert html.count(" selected>") == 1


@pytest.mark.parametrize(("given", "marked"), [("closed", "closed"), ("", None)])
def test_a_select_of_fixed_choices_escapes_its_labels_and_marks_only_the_choice(
    given: str, marked: str | None
) -> None:
    html = _render(StateFilter({"state": given}), "state")
    assert "Closed &lt;&amp; &#x27;quoted&#x27;&gt;" in html
    if marked is None:
        assert " selected" not in html
    else:
        assert f'<option value="{marked}" selected>' in html
        assert html.count(" selected") == 1
