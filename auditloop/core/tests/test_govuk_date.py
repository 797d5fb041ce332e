from __future__ import annotations

import datetime

from django import forms
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from auditloop.core.forms import GovukDateField


class VisitForm(forms.Form):
    last_visit = GovukDateField(label="Last statutory visit")


def _render(form: forms.Form) -> str:
    return Template("{% load govuk %}{% govuk_field form.last_visit %}").render(
        Context({"form": form})
    )


def test_an_impossible_date_names_the_question_and_marks_each_box() -> None:
    form = VisitForm({"last_visit-day": "31", "last_visit-month": "9", "last_visit-year": "2026"})
    assert not form.is_valid()
    assert form.errors["last_visit"] == [
        "Last statutory visit must be a real date, for example 27 3 2026"
    ]
    html = _render(form)
    assert html.count("govuk-input--error") == 3
    assert 'value="31"' in html  # what the person typed is kept


def test_a_valid_date_is_read_from_the_three_boxes() -> None:
    form = VisitForm({"last_visit-day": "3", "last_visit-month": "11", "last_visit-year": "2026"})
    assert form.is_valid()
    assert form.cleaned_data["last_visit"] == datetime.date(2026, 11, 3)
    assert "govuk-input--error" not in _render(form)


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_any_real_date_round_trips_through_the_boxes(day: datetime.date) -> None:
    data = {
        "last_visit-day": str(day.day),
        "last_visit-month": str(day.month),
        "last_visit-year": str(day.year),
    }
    form = VisitForm(data)
    assert form.is_valid()
    assert form.cleaned_data["last_visit"] == day
