"""Forms for choosing cases by hand: find a case, add it with a reason, plan the list."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import AuditType, ToolVersion
from auditloop.sampling.forms.draws import clean_theme, initial_month, month_choices, preferred_tool
from auditloop.sampling.models import PLANNED_TYPES, Cycle


class FindCaseForm(forms.Form):
    la_child_id = forms.CharField(
        max_length=64,
        label="LA child ID",
        help_text="Only open cases in this cycle's services are found.",
        error_messages={"required": "Enter the LA child ID of the case."},
    )


class PickAddForm(forms.Form):
    case = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Why this case",
        help_text="An inspector will read this. For example, a repeat referral within a year.",
        error_messages={"required": "Enter why this case was chosen."},
    )


SHARE_EVENLY = "evenly"


class PicksPlanForm(forms.Form):
    audit_type = forms.ChoiceField(
        choices=[],
        widget=forms.RadioSelect,
        label="Type of audit",
        error_messages={"required": "Choose deep dive or thematic."},
    )
    theme = forms.CharField(
        max_length=200,
        required=False,
        label="Theme",
        help_text="Needed for a thematic audit, for example, neglect. Leave blank for a deep dive.",
    )
    tool_version = forms.ModelChoiceField(
        queryset=ToolVersion.objects.none(), label="Audit tool", empty_label=None
    )
    planned_month = forms.ChoiceField(label="Month the audits are planned for")
    auditor = forms.ChoiceField(
        choices=[],
        initial=SHARE_EVENLY,
        label="Who audits",
        help_text="Only auditors in the cycle who hold or manage none of the cases are offered.",
        error_messages={"required": "Choose who audits, or share the cases out evenly."},
    )

    def __init__(
        self, *args: Any, cycle: Cycle, independent: list[StaffMember], **kwargs: Any
    ) -> None:
        initial_month(cycle, kwargs)
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["audit_type"].choices = [
            (t, lbl) for t, lbl in PLANNED_TYPES if t in cycle.audit_types and t != "dip_sample"
        ]
        tools = cycle.tools.select_related("tool")
        fields["tool_version"].queryset = tools
        preferred = preferred_tool(list(tools), AuditType.DEEP_DIVE)
        if preferred is not None and "tool_version" not in self.initial:
            self.initial["tool_version"] = preferred.pk
        fields["planned_month"].choices = month_choices(cycle)
        self.independent = {str(s.pk): s for s in independent}
        fields["auditor"].choices = [
            (SHARE_EVENLY, "Share them out evenly among the cycle's auditors")
        ] + [(str(s.pk), f"{s.name} ({s.get_role_display()})") for s in independent]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        clean_theme(self, data)
        return data

    def chosen_auditor(self) -> StaffMember | None:
        return self.independent.get(self.cleaned_data["auditor"])

    def planned_month_date(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["planned_month"])
