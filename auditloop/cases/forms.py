"""Forms for case files. They check shape; the services make the decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst

from auditloop.accounts.forms import TeamChoiceField
from auditloop.accounts.models import StaffMember, Team
from auditloop.cases.models import ChildCase, Cohort
from auditloop.cases.services import KEY_DATES, CaseDetails
from auditloop.core.forms import GovukDateField


class WorkerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.team.name})" if obj.team is not None else str(obj.name)


class CaseForm(forms.Form):
    la_child_id = forms.CharField(
        label="LA child ID",
        max_length=64,
        help_text="Exactly as the council's case management system shows it, including any "
        "leading zeros or letters.",
        error_messages={"required": "Enter the LA child ID."},
    )
    cohort = forms.ChoiceField(
        choices=Cohort.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the cohort."},
    )
    allocated_team = TeamChoiceField(
        label="Allocated team",
        queryset=Team.objects.select_related("service"),
        to_field_name="public_id",
        required=False,
        empty_label="Not allocated",
    )
    allocated_worker = WorkerChoiceField(
        label="Allocated worker",
        queryset=StaffMember.objects.filter(is_active=True, team__isnull=False).select_related(
            "team"
        ),
        to_field_name="public_id",
        required=False,
        empty_label="Not allocated",
        help_text="If you choose a worker but no team, the case goes to the worker's team.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in KEY_DATES:
            self.fields[name] = GovukDateField(
                label=capfirst(ChildCase._meta.get_field(name).verbose_name),  # type: ignore[union-attr]
                required=False,
            )

    def details(self) -> CaseDetails:
        """The case file as the administrator wrote it, for `case_create` or `case_update`."""
        data = self.cleaned_data
        return CaseDetails(
            la_child_id=data["la_child_id"],
            cohort=data["cohort"],
            allocated_team=data["allocated_team"],
            allocated_worker=data["allocated_worker"],
            **{name: data.get(name) for name in KEY_DATES},
        )


class CaseCloseForm(forms.Form):
    closed_on = GovukDateField(
        label="Date the case closed",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the case closed."},
    )


class CaseFilterForm(forms.Form):
    cohort = forms.ChoiceField(choices=[("", "All cohorts"), *Cohort.choices], required=False)
    team = TeamChoiceField(
        queryset=Team.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="All teams",
    )
    state = forms.ChoiceField(
        label="Open or closed",
        choices=[("open", "Open"), ("closed", "Closed"), ("all", "All")],
        required=False,
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class CaseSearchForm(forms.Form):
    """Sent by POST, so the ID typed never appears in a URL, a browser history or a log."""

    la_child_id = forms.CharField(
        label="LA child ID",
        max_length=64,
        help_text="The whole ID, or its beginning.",
        error_messages={"required": "Enter an LA child ID to search for."},
    )
