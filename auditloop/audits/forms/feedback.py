"""The practitioner's reply to the feedback."""

from __future__ import annotations

from django import forms

OVERALL = "overall"


class FeedbackReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply to the feedback",
        help_text=("Only you, the auditor, your team manager and the audit leads can read it."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter your reply to the feedback"},
    )
