"""Forms for grading scales and their grades."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.audits.forms.tools import code_field
from auditloop.audits.models import Grade


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
    needs_action = forms.BooleanField(
        required=False,
        label="Needs an action (a question given this grade needs an action before submission)",
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Description"
    )


class ActionGradesForm(forms.Form):
    """Which grades of a scale need an action before an audit is submitted."""

    codes = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which grades need an action?",
        help_text=(
            "A question given one of these grades needs an action, or a reason why none is "
            "needed, before the audit can be submitted. Usually the grades below good."
        ),
    )

    def __init__(self, *args: Any, grades: list[Grade], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"codes": [g.code for g in grades if g.needs_action]})
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(g.code, g.label) for g in grades]  # type: ignore[attr-defined]
