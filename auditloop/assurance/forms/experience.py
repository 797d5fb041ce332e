"""The questions about being audited."""

from __future__ import annotations

from django import forms

from auditloop.assurance.models import Agreement
from auditloop.assurance.rules.experience import DO_DIFFERENTLY, STATEMENTS


def _statement(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=Agreement.choices,
        widget=forms.RadioSelect,
        label=label,
        error_messages={"required": f"Say how far you agree: {label}"},
    )


class ExperienceForm(forms.Form):
    supportive = _statement(STATEMENTS[0][1])
    feedback_useful = _statement(STATEMENTS[1][1])
    alongside = _statement(STATEMENTS[2][1])
    do_differently = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=DO_DIFFERENTLY,
        help_text=(
            "Optional. Do not name the child, the family or anyone else. What you write is read "
            "only by the audit leads, with no name on it, and only with others' answers."
        ),
        error_messages={"max_length": "Write 2000 characters or fewer"},
    )
