"""Forms for training rules, checking them for a cycle, needs' decisions, training events,
attendance and the attendance import."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.accounts.models import StaffMember, Team
from auditloop.audits.models import Question
from auditloop.core.forms import GovukDateField
from auditloop.learning.models import (
    Theme,
    TrainingEvent,
    TrainingNeed,
    TrainingNeedStatus,
    TrainingRuleKind,
)
from auditloop.learning.selectors.training import (
    attendance_candidates,
    cycles_for_rules,
    default_scale_grades,
    events_listed,
    graded_questions_published,
    need_teams,
    needs_open_for_events,
    themes_active,
)
from auditloop.sampling.models import Cycle

# Requires improvement on the four-point scale: a domain graded this or lower counts.
DEFAULT_GRADE_VALUE = 2
DEFAULT_PERCENT = 30
DEFAULT_COUNT = 3
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _field(form: forms.Form, name: str) -> Any:
    """A field of the form, to give it its queryset or choices for this reader."""
    return form.fields[name]


class _QuestionField(forms.ModelChoiceField[Question]):
    def label_from_instance(self, obj: Question) -> str:
        tool = obj.section.version.tool.name
        return f"{obj.code} {obj.text[:80]} ({tool}, version {obj.section.version.number})"


class _StaffField(forms.ModelMultipleChoiceField[StaffMember]):
    def label_from_instance(self, obj: StaffMember) -> str:
        return f"{obj.name} ({obj.team.name if obj.team else 'no team'})"


class _NeedsField(forms.ModelMultipleChoiceField[TrainingNeed]):
    def label_from_instance(self, obj: TrainingNeed) -> str:
        team = obj.team.name if obj.team else "no team"
        return f"{obj.title} ({team}, {obj.cycle.name})"


class _TeamField(forms.ModelChoiceField[Team]):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.service.name})"


class RuleForm(forms.Form):
    name = forms.CharField(
        label="Name of the rule",
        max_length=150,
        error_messages={"required": "Enter a name for the rule"},
        help_text="For example, Voice of the child Requires improvement or worse",
    )
    kind = forms.ChoiceField(
        label="What the rule looks at",
        choices=TrainingRuleKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the rule looks at"},
    )
    question = _QuestionField(
        label="Domain",
        queryset=Question.objects.none(),
        required=False,
        empty_label="Any graded domain",
        help_text="For a domain rule: one graded question, or any of them (each on its own).",
    )
    grade_value = forms.TypedChoiceField(
        label="Graded at or below",
        coerce=int,
        required=False,
        help_text="For a domain rule: the grade that counts is the agreed one after moderation.",
    )
    percent = forms.IntegerField(
        label="In more than this percentage of a team's audits",
        min_value=0,
        max_value=99,
        required=False,
        initial=DEFAULT_PERCENT,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter the percentage as a whole number, like 30"},
    )
    theme = forms.ModelChoiceField(
        label="Theme",
        queryset=Theme.objects.none(),
        required=False,
        empty_label="Any theme",
        help_text="For a theme rule: one theme, or any of them (each on its own).",
    )
    count = forms.IntegerField(
        label="In more than this number of a team's audits",
        min_value=0,
        required=False,
        initial=DEFAULT_COUNT,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter the number of audits as a whole number, like 3"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "question").queryset = graded_questions_published()
        _field(self, "theme").queryset = themes_active()
        _field(self, "grade_value").choices = [
            (g.value, f"{g.label} or worse") for g in default_scale_grades()
        ]
        _field(self, "grade_value").initial = DEFAULT_GRADE_VALUE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == TrainingRuleKind.DOMAIN_SHARE:
            if data.get("grade_value") in (None, ""):
                self.add_error("grade_value", "Choose the grade at or below which a domain counts")
            if data.get("percent") is None and "percent" not in self.errors:
                self.add_error("percent", "Enter the percentage, like 30")
        elif (
            kind == TrainingRuleKind.THEME_COUNT
            and data.get("count") is None
            and "count" not in self.errors
        ):
            self.add_error("count", "Enter the number of audits, like 3")
        return data


class CheckRulesForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label="Cycle",
        queryset=Cycle.objects.none(),
        to_field_name="public_id",
        empty_label="Choose a cycle",
        error_messages={"required": "Choose the cycle to check the rules for"},
    )

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "cycle").queryset = cycles_for_rules(staff)


class NeedFilterForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label="Cycle",
        queryset=Cycle.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Every cycle",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *TrainingNeedStatus.choices],
    )
    team = _TeamField(
        label="Team",
        queryset=Team.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Every team",
    )

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "cycle").queryset = Cycle.objects.order_by("-starts_on", "name")
        _field(self, "team").queryset = need_teams(staff)

    def chosen(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


DECISIONS = [
    (TrainingNeedStatus.PLANNED.value, "Training planned: link the event that answers it"),
    (TrainingNeedStatus.MET.value, "Met"),
    (TrainingNeedStatus.DISMISSED.value, "Dismissed"),
]


class NeedDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label="Decision",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to mark this need"},
    )
    event = forms.ModelChoiceField(
        label="Training event",
        queryset=TrainingEvent.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Choose an event",
        help_text="For a need marked planned: the event that answers it.",
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you dismiss a need: say why. Name no child and no worker.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "event").queryset = events_listed()


class AttendeesForm(forms.Form):
    attendees = _StaffField(
        label="Who attended",
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff of the teams in your services, by service and team.",
    )
    add_people = forms.CharField(
        label="Add people by email address or name",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. A name must match one member of staff only.",
    )

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "attendees").queryset = attendance_candidates(staff)
        self.extra: list[StaffMember] = []

    def clean_add_people(self) -> str:
        value: str = self.cleaned_data.get("add_people", "")
        unknown: list[str] = []
        for line in (v.strip() for v in value.splitlines()):
            if not line:
                continue
            found = list(
                StaffMember.objects.filter(is_active=True, email__iexact=line)[:2]
                if "@" in line
                else StaffMember.objects.filter(is_active=True, name__iexact=line)[:2]
            )
            if len(found) == 1:
                self.extra.append(found[0])
            else:
                unknown.append(line)
        if unknown:
            raise forms.ValidationError(
                "These match no member of staff, or more than one: "
                + "; ".join(unknown)
                + ". Give their email address as the staff list has it."
            )
        return value

    def people(self) -> list[StaffMember]:
        chosen = list(self.cleaned_data.get("attendees") or [])
        return list({s.pk: s for s in [*chosen, *self.extra]}.values())


class EventForm(AttendeesForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the event's title"}
    )
    held_on = GovukDateField(
        label="Date held",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the event was held"},
    )
    provider = forms.CharField(label="Provider", max_length=150, required=False)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    question = _QuestionField(
        label="Domain it addresses",
        queryset=Question.objects.none(),
        required=False,
        empty_label="No one domain",
        help_text="Its impact is then read on this domain's grades; otherwise on overall grades.",
    )
    theme = forms.ModelChoiceField(
        label="Theme it addresses",
        queryset=Theme.objects.none(),
        required=False,
        empty_label="No theme",
    )
    needs = _NeedsField(
        label="Training needs it answers",
        queryset=TrainingNeed.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each open need chosen is marked planned.",
    )

    field_order = [
        "title",
        "held_on",
        "provider",
        "description",
        "question",
        "theme",
        "needs",
        "attendees",
        "add_people",
    ]

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, staff=staff, **kwargs)
        _field(self, "question").queryset = graded_questions_published()
        _field(self, "theme").queryset = themes_active()
        _field(self, "needs").queryset = needs_open_for_events(staff).select_related(
            "team", "cycle"
        )


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label="Upload the attendance register",
        help_text="A CSV file (UTF-8), with a column for email, name or SWE number.",
        error_messages={"required": "Choose the CSV file with the register"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB: is it the right file?")
        return upload
