"""The dashboard's choice of cycle."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms

from auditloop.sampling.models import Cycle


def default_cycle(cycles: Sequence[Cycle], today: datetime.date) -> Cycle | None:
    """The newest cycle that has started (`cycles` newest first); when none has, the one that
    starts soonest."""
    started = [cycle for cycle in cycles if cycle.starts_on <= today]
    if started:
        return started[0]
    return cycles[-1] if cycles else None


class DashboardCycleForm(forms.Form):
    cycle = forms.ChoiceField(
        label="Cycle",
        error_messages={
            "required": "Choose a cycle",
            "invalid_choice": "Choose a cycle from the list",
        },
    )

    def __init__(
        self, *args: Any, cycles: Sequence[Cycle], today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cycles = {str(cycle.public_id): cycle for cycle in cycles}
        self.fields["cycle"].choices = [  # type: ignore[attr-defined]
            (key, f"{cycle.name} ({cycle.starts_on:%-d %b %Y} to {cycle.ends_on:%-d %b %Y})")
            for key, cycle in self.cycles.items()
        ]
        default = default_cycle(cycles, today)
        if default is not None:
            self.fields["cycle"].initial = str(default.public_id)

    def chosen(self) -> Cycle | None:
        """The cycle chosen: unbound, the default; invalid, None."""
        if not self.is_bound:
            return self.cycles.get(str(self.fields["cycle"].initial))
        if self.is_valid():
            return self.cycles.get(self.cleaned_data["cycle"])
        return None
