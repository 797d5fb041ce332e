"""The cycle review preview's choice of version."""

from __future__ import annotations

from django import forms

from auditloop.reports.models import Audience


class ReviewAudienceForm(forms.Form):
    audience = forms.ChoiceField(
        label="Version",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        initial=Audience.COMMITTEE,
        error_messages={
            "required": "Choose the committee's version or the leaders'",
            "invalid_choice": "Choose the committee's version or the leaders'",
        },
    )

    def chosen(self) -> str | None:
        """The version chosen: unbound, the committee's; invalid, None."""
        if not self.is_bound:
            return str(Audience.COMMITTEE)
        if self.is_valid():
            return str(self.cleaned_data["audience"])
        return None
