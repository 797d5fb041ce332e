"""The form for "Plan this month"."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django import forms

from auditloop.audits.models import AuditType, ToolVersion
from auditloop.sampling.forms.draws import initial_month, month_choices, preferred_tool
from auditloop.sampling.models import PLANNED_TYPES, Cycle


class MonthPlanForm(forms.Form):
    planned_month = forms.ChoiceField(label="Month to plan")
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**53,
        label="Seed",
        help_text="Every team's cases are drawn with this seed, so the plan can be re-run.",
    )

    def __init__(self, *args: Any, cycle: Cycle, audit_types: list[str], **kwargs: Any) -> None:
        initial_month(cycle, kwargs)
        kwargs["initial"] = {"seed": secrets.randbelow(1_000_000), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["planned_month"].choices = month_choices(cycle)
        labels = dict(PLANNED_TYPES)
        tools = cycle.tools.select_related("tool")
        listed = list(tools)
        self.audit_types = audit_types
        for audit_type in audit_types:
            preferred = preferred_tool(listed, audit_type)
            fields[f"tool_{audit_type}"] = forms.ModelChoiceField(
                queryset=tools,
                empty_label=None,
                initial=preferred.pk if preferred is not None else None,
                label=f"Audit tool for the {str(labels[audit_type]).lower()} audits",
            )
        if AuditType.THEMATIC in audit_types:
            fields["theme"] = forms.CharField(
                max_length=200,
                label="Theme of the thematic audits",
                error_messages={"required": "Enter the theme of the thematic audits."},
            )

    def tool_fields(self) -> list[forms.BoundField]:
        return [self[f"tool_{t}"] for t in self.audit_types]

    def tools(self) -> dict[str, ToolVersion]:
        return {t: self.cleaned_data[f"tool_{t}"] for t in self.audit_types}

    def planned_month_date(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["planned_month"])
