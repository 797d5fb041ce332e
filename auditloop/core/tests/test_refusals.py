"""One refusal, shown one way: on the form field it names, else at the top, or as a message."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message


class DatesForm(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


def _checked_form() -> DatesForm:
    form = DatesForm(data={})
    assert form.is_valid()
    return form


def test_a_refusal_naming_a_field_of_the_form_goes_on_that_field() -> None:
    form = _checked_form()
    refusal_to_form(form, Refused("Choose an end after the start.", field="end"))
    assert form.errors == {"end": ["Choose an end after the start."]}


def test_a_refusal_naming_no_field_goes_at_the_top_of_the_form() -> None:
    form = _checked_form()
    refusal_to_form(form, Refused("This cycle has ended."))
    assert form.non_field_errors() == ["This cycle has ended."]
    assert list(form.errors) == ["__all__"]


def test_a_refusal_naming_a_field_the_form_lacks_goes_at_the_top() -> None:
    form = _checked_form()
    refusal_to_form(form, Refused("Choose a team.", field="team"))
    assert form.non_field_errors() == ["Choose a team."]


def test_a_refusal_shown_as_a_message_is_an_error_message() -> None:
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    refusal_to_message(request, Refused("Only the audit lead can do that."))
    shown = list(get_messages(request))
    assert [(m.message, m.tags) for m in shown] == [("Only the audit lead can do that.", "error")]


def test_a_refusal_keeps_its_message_and_field() -> None:
    refused = Refused("Enter a name.", field="name")
    assert (str(refused), refused.message, refused.field) == (
        "Enter a name.",
        "Enter a name.",
        "name",
    )
