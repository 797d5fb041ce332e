"""Forms for grading scales and their grades."""

from __future__ import annotations

from django import forms

from auditloop.audits.forms.tools import code_field


class GradingScaleForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Name",
        help_text="For example, Three-point scale (good, requires improvement, inadequate)",
        error_messages={"required": "Enter a name for the grading scale"},
    )


class GradeForm(forms.Form):
    code = code_field("Grade code", "A short code, for example good or 7")
    label = forms.CharField(
        max_length=60, label="Label", error_messages={"required": "Enter a label"}
    )
    value = forms.IntegerField(
        label="Value",
        help_text="The grade's position on the scale: higher is better practice.",
        error_messages={
            "required": "Enter a value",
            "invalid": "Enter the value as a whole number, for example 3",
        },
    )
    is_inadequate = forms.BooleanField(
        required=False,
        label="Counts as inadequate (moderated and revisited by default)",
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Description"
    )
