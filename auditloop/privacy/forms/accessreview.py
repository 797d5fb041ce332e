"""Forms of the access review: the child's ID (posted, never in a URL), the report's dates
and the council's thresholds. They check shape; the services make the decisions."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.core.forms import GovukDateField

# The longest period the unusual reading report covers at once.
MOST_DAYS = 31


class ChildSearchForm(forms.Form):
    la_child_id = forms.CharField(
        label="LA child ID",
        max_length=64,
        help_text="Exactly as the council's case management system shows it, including any "
        "leading zeros or letters.",
        error_messages={
            "required": "Enter the child's LA child ID.",
            "max_length": "An LA child ID has at most 64 characters.",
        },
    )


class UnusualReadingForm(forms.Form):
    date_from = GovukDateField(
        label="From",
        help_text="For example, 2 11 2026",
        error_messages={"required": "Enter the first day of the period."},
    )
    date_to = GovukDateField(
        label="To",
        help_text=f"The period can be at most {MOST_DAYS} days, ending today at the latest.",
        error_messages={"required": "Enter the last day of the period."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        today = timezone.localdate()
        if isinstance(end, datetime.date) and end > today:
            self.add_error("date_to", "The last day must be today or earlier.")
        elif isinstance(start, datetime.date) and isinstance(end, datetime.date):
            if end < start:
                self.add_error("date_to", "The last day must be the same as or after the first.")
            elif (end - start).days + 1 > MOST_DAYS:
                self.add_error("date_to", f"The period can be at most {MOST_DAYS} days.")
        return data


class ReadingThresholdsForm(forms.Form):
    cases_per_day = forms.IntegerField(
        label="Children outside their own in a day",
        help_text="Flag a person who reads the records of this many different children, or "
        "more, in one day, none of them allocated to them or their team, in a service they "
        "oversee, or in an audit they did, moderated or took part in.",
        min_value=1,
        max_value=10_000,
        error_messages={
            "required": "Enter how many children in a day.",
            "invalid": "Enter a whole number, for example 20.",
            "min_value": "The number of children must be 1 or more.",
            "max_value": "The number of children must be 10,000 or fewer.",
        },
    )
    exempt_roles = forms.MultipleChoiceField(
        label="Roles never flagged",
        help_text="Select all that apply. Leave all clear to flag anyone.",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose roles from the list."},
    )
    count_lists = forms.BooleanField(
        label="Also count children only named on a list (a case list, a sample, a list of "
        "audits, an API page)",
        required=False,
    )
