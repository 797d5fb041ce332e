"""Forms for planning a cycle and drawing a sample. They validate input; services decide."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from auditloop.accounts.models import AUDITING_ROLES, Role, Service, StaffMember, Team
from auditloop.audits.models import AuditType, ToolKind, ToolVersion
from auditloop.cases.models import Cohort
from auditloop.core.forms import GovukDateField
from auditloop.sampling.draws import ANNEX_A_LIST, DrawSpec
from auditloop.sampling.models import PLANNED_TYPES, Cycle, QuotaKind
from auditloop.sampling.selectors import cycle_months


class StaffChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        team = f", {obj.team.name}" if obj.team_id else ""
        return f"{obj.name} ({obj.get_role_display()}{team})"


class CycleEditForm(forms.Form):
    """The parts of a cycle that can change once it is planned."""

    name = forms.CharField(
        max_length=150,
        help_text="For example, North and South, April to September 2026",
        error_messages={"required": "Enter a name for the cycle."},
    )
    starts_on = GovukDateField(
        label="Start date",
        help_text="For example, 1 4 2026",
        error_messages={"required": "Enter the date the cycle starts."},
    )
    ends_on = GovukDateField(
        label="End date",
        required=False,
        help_text="Leave blank for six months from the start date.",
    )
    tools = forms.ModelMultipleChoiceField(
        queryset=ToolVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Audit tools",
        error_messages={"required": "Choose at least one audit tool."},
    )
    audit_types = forms.MultipleChoiceField(
        choices=PLANNED_TYPES,
        widget=forms.CheckboxSelectMultiple,
        label="Types of audit",
        error_messages={"required": "Choose the types of audit the cycle plans."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["tools"].queryset = ToolVersion.objects.filter(is_published=True).select_related(
            "tool"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The end date must be after the start date.")
        return data


class CycleForm(CycleEditForm):
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Services the cycle covers",
        error_messages={"required": "Choose at least one service the cycle covers."},
    )
    auditors = StaffChoiceField(
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Who audits",
        help_text="The pool the audits are shared among. You can change it later.",
    )
    due_extension_days = forms.IntegerField(
        min_value=0,
        max_value=31,
        initial=0,
        label="Days allowed after the month ends",
        help_text="Audits are due at the end of the month they are planned for, plus these days.",
    )
    field_order = [
        "name",
        "services",
        "starts_on",
        "ends_on",
        "tools",
        "audit_types",
        "auditors",
        "due_extension_days",
    ]

    def __init__(
        self,
        *args: Any,
        services: QuerySet[Service],
        auditors: QuerySet[StaffMember],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["services"].queryset = services
        fields["auditors"].queryset = auditors


class AuditorsForm(forms.Form):
    auditors = StaffChoiceField(
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Who audits",
    )

    def __init__(self, *args: Any, auditors: QuerySet[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["auditors"].queryset = auditors


class QuotaForm(forms.Form):
    kind = forms.ChoiceField(
        choices=QuotaKind.choices,
        widget=forms.RadioSelect,
        label="What the quota counts",
        error_messages={"required": "Choose what the quota counts."},
    )
    audit_type = forms.ChoiceField(choices=PLANNED_TYPES, label="Type of audit")
    per_month = forms.IntegerField(
        min_value=1,
        max_value=500,
        label="How many a month",
        error_messages={"required": "Enter how many a month."},
    )
    role = forms.ChoiceField(
        choices=[("", "Everyone in the pool")]
        + [(r.value, r.label) for r in Role if r in AUDITING_ROLES],
        required=False,
        label="Which auditors",
        help_text="Only for a quota for each auditor, for example each team manager.",
    )

    def __init__(self, *args: Any, cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["audit_type"].choices = [
            (t, lbl) for t, lbl in PLANNED_TYPES if t in cycle.audit_types
        ]


def _clean_theme(form: forms.Form, data: dict[str, Any]) -> None:
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


def _month_label(day: datetime.date) -> str:
    return day.strftime("%B %Y")


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
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("seed", secrets.randbelow(1_000_000))
        months = cycle_months(cycle)
        this_month = timezone.localdate().replace(day=1)
        if this_month in months:
            kwargs["initial"].setdefault("planned_month", this_month.isoformat())
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
        fields["planned_month"].choices = [(m.isoformat(), _month_label(m)) for m in months]

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
        _clean_theme(self, data)
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


def _month_choices(cycle: Cycle) -> list[tuple[str, str]]:
    return [(m.isoformat(), _month_label(m)) for m in cycle_months(cycle)]


def _initial_month(cycle: Cycle, kwargs: dict[str, Any]) -> None:
    this_month = timezone.localdate().replace(day=1)
    if this_month in cycle_months(cycle):
        kwargs.setdefault("initial", {}).setdefault("planned_month", this_month.isoformat())


def _preferred_tool(tools: list[ToolVersion], audit_type: str) -> ToolVersion | None:
    """A compliance tool for a dip sample, a quality tool for anything else, if the cycle has
    one: what the lead would pick first."""
    wanted = ToolKind.COMPLIANCE if audit_type == AuditType.DIP_SAMPLE else ToolKind.QUALITY
    return next((t for t in tools if t.tool.kind == wanted), tools[0] if tools else None)


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
        _initial_month(cycle, kwargs)
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["audit_type"].choices = [
            (t, lbl) for t, lbl in PLANNED_TYPES if t in cycle.audit_types and t != "dip_sample"
        ]
        tools = cycle.tools.select_related("tool")
        fields["tool_version"].queryset = tools
        preferred = _preferred_tool(list(tools), AuditType.DEEP_DIVE)
        if preferred is not None and "tool_version" not in self.initial:
            self.initial["tool_version"] = preferred.pk
        fields["planned_month"].choices = _month_choices(cycle)
        self.independent = {str(s.pk): s for s in independent}
        fields["auditor"].choices = [
            (SHARE_EVENLY, "Share them out evenly among the cycle's auditors")
        ] + [(str(s.pk), f"{s.name} ({s.get_role_display()})") for s in independent]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _clean_theme(self, data)
        return data

    def chosen_auditor(self) -> StaffMember | None:
        return self.independent.get(self.cleaned_data["auditor"])

    def planned_month_date(self) -> datetime.date:
        return datetime.date.fromisoformat(self.cleaned_data["planned_month"])


class MonthPlanForm(forms.Form):
    planned_month = forms.ChoiceField(label="Month to plan")
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**53,
        label="Seed",
        help_text="Every team's cases are drawn with this seed, so the plan can be re-run.",
    )

    def __init__(self, *args: Any, cycle: Cycle, audit_types: list[str], **kwargs: Any) -> None:
        _initial_month(cycle, kwargs)
        kwargs["initial"] = {"seed": secrets.randbelow(1_000_000), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["planned_month"].choices = _month_choices(cycle)
        labels = dict(PLANNED_TYPES)
        tools = cycle.tools.select_related("tool")
        listed = list(tools)
        self.audit_types = audit_types
        for audit_type in audit_types:
            preferred = _preferred_tool(listed, audit_type)
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
