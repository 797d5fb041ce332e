"""The form for drawing a sample, and what the planning forms share: the months of a cycle to
choose from, the tool a lead would pick first, and a thematic audit's theme."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from auditloop.accounts.models import Service, Team
from auditloop.audits.models import AuditType, ToolKind, ToolVersion
from auditloop.cases.models import Cohort
from auditloop.core.forms import GovukDateField
from auditloop.sampling.models import PLANNED_TYPES, Cycle
from auditloop.sampling.rules.draws import ANNEX_A_LIST, DrawSpec
from auditloop.sampling.rules.months import cycle_months, month_name


def month_choices(cycle: Cycle) -> list[tuple[str, str]]:
    return [(m.isoformat(), month_name(m)) for m in cycle_months(cycle)]


def initial_month(cycle: Cycle, kwargs: dict[str, Any]) -> None:
    this_month = timezone.localdate().replace(day=1)
    if this_month in cycle_months(cycle):
        kwargs.setdefault("initial", {}).setdefault("planned_month", this_month.isoformat())


def preferred_tool(tools: list[ToolVersion], audit_type: str) -> ToolVersion | None:
    """A compliance tool for a dip sample, a quality tool for anything else, if the cycle has
    one: what the lead would pick first."""
    wanted = ToolKind.COMPLIANCE if audit_type == AuditType.DIP_SAMPLE else ToolKind.QUALITY
    return next((t for t in tools if t.tool.kind == wanted), tools[0] if tools else None)


def clean_theme(form: forms.Form, data: dict[str, Any]) -> None:
    """A thematic audit needs its theme; any other type has none."""
    theme = (data.get("theme") or "").strip()
    if data.get("audit_type") == AuditType.THEMATIC:
        if not theme and "theme" not in form.errors:
            form.add_error("theme", "Enter the theme of the thematic audits.")
    else:
        data["theme"] = ""


SIZE_METHOD_CHOICES = [
    ("count", "A number of cases"),
    ("percentage", "A percentage of the population"),
    ("confidence", "A confidence level and margin of error"),
]
CONFIDENCE_CHOICES = [("0.9", "90%"), ("0.95", "95%"), ("0.99", "99%")]


class DrawForm(forms.Form):
    cohort = forms.ChoiceField(
        choices=[("", "All cohorts")]
        + [(c.value, f"{c.label} (Annex A list {ANNEX_A_LIST[c]})") for c in Cohort],
        required=False,
        label="Cohort",
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        required=False,
        empty_label="Every service in the cycle",
        label="Service",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Every team", label="Team"
    )
    open_on = GovukDateField(
        label="Open on",
        required=False,
        help_text="Leave blank for the cases open now.",
    )
    exclude_months = forms.IntegerField(
        min_value=0,
        max_value=60,
        initial=12,
        label="Leave out cases audited in the last (months)",
    )
    stratify = forms.ChoiceField(
        choices=[("none", "No"), ("team", "By team"), ("service", "By service")],
        widget=forms.RadioSelect,
        initial="none",
        label="Stratify the sample",
    )
    allocation = forms.ChoiceField(
        choices=[
            ("proportional", "In proportion to each group's size"),
            ("equal", "The same number from each group"),
        ],
        widget=forms.RadioSelect,
        initial="proportional",
        label="Share the sample among the groups",
    )
    size_method = forms.ChoiceField(
        choices=SIZE_METHOD_CHOICES,
        widget=forms.RadioSelect,
        initial="count",
        label="Size the sample by",
    )
    size = forms.IntegerField(
        min_value=1,
        max_value=100000,
        required=False,
        label="Number of cases",
        help_text="When sizing by a number of cases.",
    )
    percentage = forms.DecimalField(
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        decimal_places=1,
        required=False,
        label="Percentage of the population",
        help_text="When sizing by a percentage, for example 10.",
    )
    confidence = forms.ChoiceField(
        choices=CONFIDENCE_CHOICES, initial="0.95", label="Confidence level"
    )
    margin = forms.DecimalField(
        min_value=Decimal("0.5"),
        max_value=Decimal(50),
        decimal_places=1,
        required=False,
        label="Margin of error (percentage points)",
        help_text="When sizing by confidence, for example 5.",
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**53,
        label="Seed",
        help_text="The same seed and filters always draw the same cases.",
    )
    audit_type = forms.ChoiceField(choices=PLANNED_TYPES, label="Type of audit")
    theme = forms.CharField(
        max_length=200,
        required=False,
        label="Theme",
        help_text="For a thematic audit, for example, neglect or exploitation outside the home.",
    )
    tool_version = forms.ModelChoiceField(
        queryset=ToolVersion.objects.none(), label="Audit tool", empty_label=None
    )
    planned_month = forms.ChoiceField(label="Month the audits are planned for")
    create_audits = forms.BooleanField(
        required=False,
        label="Create the audits and share them among the cycle's auditors",
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("seed", secrets.randbelow(1_000_000))
        initial_month(cycle, kwargs)
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["service"].queryset = cycle.services.all()
        fields["team"].queryset = Team.objects.filter(service__cycles=cycle).select_related(
            "service"
        )
        fields["tool_version"].queryset = cycle.tools.select_related("tool")
        fields["audit_type"].choices = [
            (t, lbl) for t, lbl in PLANNED_TYPES if t in cycle.audit_types
        ]
        fields["planned_month"].choices = month_choices(cycle)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("size_method")
        if method == "count" and data.get("size") is None:
            self.add_error("size", "Enter the number of cases to draw.")
        if method == "percentage" and data.get("percentage") is None:
            self.add_error("percentage", "Enter the percentage of the population to draw.")
        if method == "confidence" and data.get("margin") is None:
            self.add_error("margin", "Enter the margin of error, for example 5.")
        team, service = data.get("team"), data.get("service")
        if team is not None and service is not None and team.service_id != service.pk:
            self.add_error("team", "Choose a team in the service you chose, or every team.")
        clean_theme(self, data)
        return data

    def spec(self) -> DrawSpec:
        data = self.cleaned_data
        service = data.get("service")
        team = data.get("team")
        percentage = data.get("percentage")
        margin = data.get("margin")
        return DrawSpec(
            seed=int(data["seed"]),
            cohort=data.get("cohort") or "",
            service_ids=(service.pk,) if service else (),
            team_id=team.pk if team else None,
            open_on=data.get("open_on"),
            exclude_months=int(data["exclude_months"]),
            stratify="" if data["stratify"] == "none" else data["stratify"],
            allocation=data["allocation"],
            size_method=data["size_method"],
            size=data.get("size"),
            percentage=float(percentage) if percentage is not None else None,
            confidence=float(data["confidence"]),
            margin=float(margin) / 100 if margin is not None else None,
        )

    def planned_month_date(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["planned_month"])
