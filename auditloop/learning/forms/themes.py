"""Forms for the theme list and for accepting a theme suggestion."""

from __future__ import annotations

from django import forms

from auditloop.learning.models import Theme

NAME_MAX = Theme._meta.get_field("name").max_length or 120


class ThemeForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="In the words practitioners use, for example “Voice of the child”.",
        error_messages={
            "required": "Enter the theme's name",
            "max_length": f"Enter a name of {NAME_MAX} characters or fewer",
        },
    )
    description = forms.CharField(
        label="What it covers (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Helps auditors choose it, and helps the product match suggestions to it.",
        error_messages={"max_length": "Enter a description of 1000 characters or fewer"},
    )


class SuggestionAcceptForm(forms.Form):
    label = forms.CharField(
        label="Name of the new theme",
        max_length=NAME_MAX,
        help_text="Made from the words the notes share: change it to the words people use.",
        error_messages={
            "required": "Enter a name for the new theme",
            "max_length": f"Enter a name of {NAME_MAX} characters or fewer",
        },
    )
