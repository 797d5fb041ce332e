"""Forms for planning a cycle: the cycle itself, its pool of auditors and its quotas."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from auditloop.accounts.models import AUDITING_ROLES, Role, Service, StaffMember
from auditloop.audits.models import ToolVersion
from auditloop.core.forms import GovukDateField
from auditloop.core.versions import VersionField
from auditloop.sampling.models import PLANNED_TYPES, Cycle, QuotaKind


class StaffChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        team = f", {obj.team.name}" if obj.team_id else ""
        return f"{obj.name} ({obj.get_role_display()}{team})"


class CycleFields(forms.Form):
    """What planning a cycle and changing it both ask."""

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


class CycleEditForm(CycleFields):
    """The parts of a cycle that can change once it is planned, and how it is moderated and
    revisited."""

    moderation_percent = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Share of the other audits moderated at random (%)",
        help_text=(
            "Every Inadequate and every Outstanding audit is moderated; this share of the rest is "
            "drawn at random, rounded up to a whole audit. 15 by default."
        ),
        error_messages={
            "required": "Enter the share of audits moderated at random, from 0 to 100",
            "invalid": "The share moderated at random must be a whole number from 0 to 100",
            "min_value": "The share moderated at random must be 0 or more",
            "max_value": "The share moderated at random must be 100 or less",
        },
    )
    revisit_weeks = forms.IntegerField(
        min_value=1,
        max_value=52,
        label="Weeks before an Inadequate audit is revisited",
        help_text=(
            "An agreed Inadequate grade schedules a revisit this many weeks later. 6 by default."
        ),
        error_messages={
            "required": "Enter the weeks before a revisit, from 1 to 52",
            "invalid": "The weeks before a revisit must be a whole number from 1 to 52",
            "min_value": "The weeks before a revisit must be 1 or more",
            "max_value": "The weeks before a revisit must be 52 or less",
        },
    )
    # Not required: a form sent without them (an older page still open) keeps the cycle's.
    late_to_manager_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=90,
        label="Days late before an audit is escalated to the auditor's manager",
        help_text="A cycle audit not submitted this many days after its due date. 5 by default.",
        error_messages={
            "invalid": "The days late before escalating must be a whole number from 1 to 90",
            "min_value": "The days late before escalating must be 1 or more",
            "max_value": "The days late before escalating must be 90 or less",
        },
    )
    late_to_lead_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=90,
        label="Days late before an audit is escalated to the audit lead",
        help_text="More than the days before the manager is told. 10 by default.",
        error_messages={
            "invalid": "The days late before escalating must be a whole number from 1 to 90",
            "min_value": "The days late before escalating must be 1 or more",
            "max_value": "The days late before escalating must be 90 or less",
        },
    )
    version = VersionField()


class CycleForm(CycleFields):
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
    version = VersionField()

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
