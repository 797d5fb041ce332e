"""The team picture's choice of cycle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from auditloop.sampling.models import Cycle


class TeamPictureCycleForm(forms.Form):
    cycle = forms.ChoiceField(
        label="Cycle",
        error_messages={
            "required": "Choose a cycle",
            "invalid_choice": "Choose a cycle from the list",
        },
    )

    def __init__(self, *args: Any, cycles: Sequence[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cycles = {str(cycle.public_id): cycle for cycle in cycles}
        self.fields["cycle"].choices = [  # type: ignore[attr-defined]
            (key, cycle.name) for key, cycle in self.cycles.items()
        ]
        if cycles:
            self.fields["cycle"].initial = str(cycles[0].public_id)

    def chosen(self) -> Cycle | None:
        """The cycle chosen: unbound, the latest with audits that count; invalid, None."""
        if not self.is_bound:
            return self.cycles.get(str(self.fields["cycle"].initial))
        if self.is_valid():
            return self.cycles.get(self.cleaned_data["cycle"])
        return None
