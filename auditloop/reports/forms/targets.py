"""The form that sets a target: what it measures, where it applies, and the share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from auditloop.accounts.models import Service
from auditloop.reports.models import TargetMeasure

COUNCIL_WIDE = "council"

_PERCENT_ERRORS = {
    "required": "Enter the target as a whole number from 0 to 100",
    "invalid": "The target must be a whole number from 0 to 100",
    "min_value": "The target must be 0 or more",
    "max_value": "The target must be 100 or less",
}


class TargetPercentField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_value=0,
            max_value=100,
            label="Share of audits (%)",
            help_text="A whole number from 0 to 100, such as 10 or 40.",
            error_messages=_PERCENT_ERRORS,
            **kwargs,
        )


class TargetForm(forms.Form):
    """A new target, or a change to the one already set for the same measure and place."""

    measure = forms.ChoiceField(
        label="What the target measures",
        choices=TargetMeasure.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the target measures",
            "invalid_choice": "Choose what the target measures from the list",
        },
    )
    where = forms.ChoiceField(
        label="Where it applies",
        help_text="A service's own target takes the place of the council-wide one there.",
        error_messages={
            "required": "Choose where the target applies",
            "invalid_choice": "Choose where the target applies from the list",
        },
    )
    percent = TargetPercentField()

    def __init__(
        self, *args: Any, services: Sequence[Service], council_wide: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.services = {str(service.public_id): service for service in services}
        choices = [(COUNCIL_WIDE, "Council-wide (every service)")] if council_wide else []
        choices += [(key, service.name) for key, service in self.services.items()]
        self.fields["where"].choices = choices  # type: ignore[attr-defined]

    def chosen_service(self) -> Service | None:
        """The service chosen (None: council-wide); after `is_valid()`."""
        return self.services.get(self.cleaned_data["where"])


class TargetChangeForm(forms.Form):
    """A change to one target's share (its measure and place stay)."""

    percent = TargetPercentField()
