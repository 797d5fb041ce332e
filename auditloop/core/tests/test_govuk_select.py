"""A select drawn by `govuk_field`: its options, the one chosen, escaping, and one query for
a model's choices."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from auditloop.testing import Personas

User = get_user_model()


class LoginFilter(forms.Form):
    login = forms.ModelChoiceField(
        queryset=User.objects.order_by("username"),
        to_field_name="username",
        required=False,
        empty_label="All logins",
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
    logins = list(User.objects.order_by("username"))
    assert len(logins) >= 2
    chosen = logins[1]
    form = LoginFilter({"login": chosen.username})
    assert form.is_valid()  # as a list page does first: one query, for the chosen row
    with CaptureQueriesContext(connection) as captured:
        html = _render(form, "login")
    assert len(captured) == 1
    assert "COUNT(" not in captured[0]["sql"].upper()
    assert html.count("<option") == len(logins) + 1
    assert '<option value="">All logins</option>' in html
    assert f'<option value="{chosen.username}" selected>' in html
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
