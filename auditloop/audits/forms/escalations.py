"""Forms for unsafe-child flags: raising one and acknowledging it."""

from __future__ import annotations

from django import forms

OVERALL = "overall"


class EscalationRaiseForm(forms.Form):
    reason = forms.CharField(
        label="Why do you think the child is not safe?",
        help_text=(
            "Say what you found in the case file and what needs to happen today. "
            "Do not include the child's name."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter why you think the child is not safe"},
    )


class EscalationAcknowledgeForm(forms.Form):
    response = forms.CharField(
        label="What are you doing to keep the child safe?",
        help_text="This is recorded with your name and the time, and the auditor is told.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter what you are doing to keep the child safe"},
    )
