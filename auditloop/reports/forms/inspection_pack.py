"""The inspection pack's form: the period (GOV.UK date inputs) and the format."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from auditloop.core.forms import GovukDateField
from auditloop.reports.rules.inspection_pack import (
    FORMAT_LABELS,
    PackFormat,
    default_period,
    period_problems,
)


class InspectionPackForm(forms.Form):
    starts_on = GovukDateField(
        label="From",
        help_text="The first day of the period, for example 1 4 2026",
        error_messages={"required": "Enter the first day of the period"},
    )
    ends_on = GovukDateField(
        label="To",
        help_text="The last day of the period, for example 31 3 2027",
        error_messages={"required": "Enter the last day of the period"},
    )
    fmt = forms.ChoiceField(
        label="Format",
        choices=[(f.value, FORMAT_LABELS[f]) for f in PackFormat],
        widget=forms.RadioSelect,
        initial=PackFormat.XLSX.value,
        error_messages={
            "required": "Choose a format",
            "invalid_choice": "Choose a format from the list",
        },
    )

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        starts_on, ends_on = default_period(self.today)
        self.fields["starts_on"].initial = starts_on
        self.fields["ends_on"].initial = ends_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        for name, problem in period_problems(starts_on, ends_on, today=self.today).items():
            self.add_error(name, problem)
        return cleaned

    @property
    def chosen_format(self) -> PackFormat:
        return PackFormat(self.cleaned_data["fmt"])
