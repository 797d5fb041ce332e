"""The agreement page's choice of cycle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from auditloop.sampling.models import Cycle

ALL_CYCLES = "all"


class AgreementCycleForm(forms.Form):
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
        choices = [(key, cycle.name) for key, cycle in self.cycles.items()]
        self.fields["cycle"].choices = [  # type: ignore[attr-defined]
            *choices,
            (ALL_CYCLES, "Every cycle"),
        ]
        if cycles:
            self.fields["cycle"].initial = str(cycles[0].public_id)
        else:
            self.fields["cycle"].initial = ALL_CYCLES

    def chosen(self) -> tuple[bool, Cycle | None]:
        """(whether a choice stands, the cycle chosen: None for every cycle). Unbound, the
        latest cycle (or every cycle when there is none yet); invalid, no choice."""
        if not self.is_bound:
            key = str(self.fields["cycle"].initial)
        elif self.is_valid():
            key = self.cleaned_data["cycle"]
        else:
            return False, None
        return True, self.cycles.get(key)
