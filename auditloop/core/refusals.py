"""One exception for "the rules refuse this", and the one way a view shows it.

A service raises `Refused("Choose a date after the start.", field="end_date")`; a view that
has a form calls `refusal_to_form(form, refused)`, one that redirects calls
`refusal_to_message(request, refused)`. The message is plain English, written once, in the
service (or the access rule it calls), and shown to the person as it is.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest


class Refused(Exception):
    """A change or a read the rules do not allow. `message` says why, in the user's words;
    `field` names the form field it belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def refusal_to_form(form: forms.BaseForm, refused: Refused) -> None:
    """Put the refusal on the form: on its field when the form has that field, else at the top
    (the error summary's first line)."""
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, refused.message)


def refusal_to_message(request: HttpRequest, refused: Refused) -> None:
    """Show the refusal as an error message on the next page (for a view that redirects)."""
    messages.error(request, refused.message)
