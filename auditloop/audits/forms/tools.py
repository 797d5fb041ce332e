"""Forms for audit tools and their draft versions."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from auditloop.audits.models import Grade, GradingScale, QuestionKind, ToolKind, ToolVersion
from auditloop.audits.rules import CODE_PATTERN, KINDS_FOR_TOOL
from auditloop.core.versions import VersionField

DESCRIPTOR_PREFIX = "descriptor_"


class ScaleChoiceField(forms.ModelChoiceField[GradingScale]):
    def label_from_instance(self, obj: GradingScale) -> str:
        return obj.name


def code_field(label: str, help_text: str) -> forms.CharField:
    return forms.RegexField(
        regex=CODE_PATTERN,
        max_length=10,
        label=label,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": "Use only letters, numbers, hyphens and underscores",
            "max_length": "Use 10 characters or fewer",
        },
    )


class ToolCreateForm(forms.Form):
    name = forms.CharField(
        max_length=150,
        label="Name",
        help_text="For example, Thematic audit: domestic abuse",
        error_messages={"required": "Enter a name for the audit tool"},
    )
    kind = forms.ChoiceField(
        choices=ToolKind.choices,
        widget=forms.RadioSelect,
        label="What kind of audit tool is it?",
        error_messages={"required": "Choose what kind of audit tool it is"},
    )
    grading_scale = ScaleChoiceField(
        queryset=GradingScale.objects.order_by("name"),
        label="Grading scale",
        help_text="The grades auditors give, for each graded question and overall.",
        empty_label=None,
        error_messages={"required": "Choose a grading scale"},
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Description"
    )


class DraftForm(forms.Form):
    """A form that changes a draft version: it carries the draft's version the page was drawn
    from, so a change saved since is not overwritten (auditloop.core.versions)."""

    version = VersionField()


class SectionForm(DraftForm):
    title = forms.CharField(
        max_length=150,
        label="Section title",
        error_messages={"required": "Enter a title for the section"},
    )


class QuestionForm(DraftForm):
    """Add or reword a question. `descriptor_<grade code>` fields follow the version's scale."""

    code = code_field("Question code", "Unique in this version, for example A16 or D9")
    kind = forms.ChoiceField(
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        label="What kind of question is it?",
        error_messages={"required": "Choose what kind of question it is"},
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Question",
        help_text="As the auditor will read it.",
        error_messages={"required": "Enter the question"},
    )
    guidance = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Guidance for auditors"
    )
    basis = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Basis",
        help_text="The statutory or practice basis, for example Working Together 2023.",
    )
    applies_to = forms.CharField(
        required=False,
        max_length=120,
        label="Applies to",
        help_text="For example CP, CLA, or All.",
    )
    alert_on_no = forms.BooleanField(
        required=False,
        label="A No on this check alerts the team manager the same day",
    )

    def __init__(
        self, *args: Any, version: ToolVersion, grades: list[Grade], adding: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        allowed = KINDS_FOR_TOOL[version.tool.kind]
        self.grades = grades
        if not adding:
            del self.fields["code"]
            del self.fields["kind"]
        elif len(allowed) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = allowed[0]
        else:
            kind_field = cast(forms.ChoiceField, self.fields["kind"])
            kind_field.choices = [c for c in QuestionKind.choices if c[0] in allowed]
        self.takes_compliance = QuestionKind.COMPLIANCE in allowed
        self.takes_graded = QuestionKind.GRADED in allowed
        if not self.takes_compliance:
            del self.fields["alert_on_no"]
        elif self.takes_graded:
            self.fields["alert_on_no"].help_text = "For compliance checks only."
        if self.takes_graded:
            for grade in grades:
                self.fields[DESCRIPTOR_PREFIX + grade.code] = forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    label=grade.label,
                    help_text=f"What {grade.label} looks like for this question.",
                )

    def descriptor_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(DESCRIPTOR_PREFIX)]

    def descriptors(self) -> dict[str, str]:
        return {
            name.removeprefix(DESCRIPTOR_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(DESCRIPTOR_PREFIX) and value
        }


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class ScaleChangeForm(DraftForm):
    grading_scale = ScaleChoiceField(
        queryset=GradingScale.objects.order_by("name"),
        label="Grading scale",
        empty_label=None,
        error_messages={"required": "Choose a grading scale"},
    )
    confirm = forms.BooleanField(
        required=False,
        label="I understand the descriptors must be entered again for the new grades",
    )


class PublishForm(DraftForm):
    change_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Change note",
        help_text="What changed in this version and why. Auditors and inspectors read it.",
        error_messages={"required": "Enter a change note"},
    )
