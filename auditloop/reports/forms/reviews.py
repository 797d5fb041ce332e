"""The form that issues a new version of a cycle review: which cycle, for whom, in which
format."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from auditloop.reports.models import Audience, ReviewFormat
from auditloop.sampling.models import Cycle


def _cycle_label(cycle: Cycle) -> str:
    return f"{cycle.name} ({cycle.starts_on:%-d %B %Y} to {cycle.ends_on:%-d %B %Y})"


class CycleReviewIssueForm(forms.Form):
    cycle = forms.ChoiceField(
        label="Which cycle?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the cycle to review",
            "invalid_choice": "Select one of the cycles listed",
        },
    )
    audience = forms.ChoiceField(
        label="Who is it for?",
        choices=Audience.choices,
        widget=forms.RadioSelect,
        help_text=(
            "The committee's version names no team and no member of staff, and small numbers "
            "in it are suppressed. The leaders' version names teams."
        ),
        error_messages={"required": "Select who the review is for"},
    )
    format = forms.ChoiceField(
        label="Format",
        choices=ReviewFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the format of the review"},
    )

    def __init__(self, *args: object, cycles: Sequence[Cycle], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.cycles = {str(cycle.public_id): cycle for cycle in cycles}
        self.fields["cycle"].choices = [  # type: ignore[attr-defined]
            (key, _cycle_label(cycle)) for key, cycle in self.cycles.items()
        ]

    def chosen_cycle(self) -> Cycle:
        return self.cycles[self.cleaned_data["cycle"]]
