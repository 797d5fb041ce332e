"""The form for marking or changing a learning point: its kind, the question of the audit's
tool it is about (or the audit as a whole), the text, and themes from the theme list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from auditloop.audits.models import Audit, Question
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme

TEXT_MAX = 2000


class _QuestionField(forms.ModelChoiceField[Question]):
    def label_from_instance(self, obj: Question) -> str:
        return f"{obj.code} {obj.text}"


class _ThemesField(forms.ModelMultipleChoiceField[Theme]):
    def label_from_instance(self, obj: Theme) -> str:
        return obj.name if obj.is_active else f"{obj.name} (retired)"


class LearningPointForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of learning is it?",
        choices=LearningPointKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether it is good practice to share or an area for development"
        },
    )
    question = _QuestionField(
        label="Which question is it about?",
        queryset=Question.objects.none(),
        required=False,
        empty_label="The audit as a whole",
        help_text="A question (domain) of this audit's tool, or the audit as a whole.",
    )
    text = forms.CharField(
        label="The learning point",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "What should be shared, or what needs to develop, and why. It is read with this "
            "audit; anywhere else (key messages, briefings) it is shown with names and "
            "identifiers taken out."
        ),
        error_messages={
            "required": "Enter the learning point",
            "max_length": f"Enter a learning point of {TEXT_MAX} characters or fewer",
        },
    )
    themes = _ThemesField(
        label="Themes",
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose every theme it shows, if any. The audit leads keep the theme list.",
    )

    def __init__(
        self, *args: Any, audit: Audit, point: LearningPoint | None = None, **kwargs: Any
    ) -> None:
        if point is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": point.kind,
                "question": point.question_id,
                "text": point.text,
                "themes": [t.pk for t in point.themes.all()],
            }
        super().__init__(*args, **kwargs)
        questions = Question.objects.filter(section__version=audit.tool_version_id).order_by(
            "section__order", "order"
        )
        self.fields["question"].queryset = questions  # type: ignore[attr-defined]
        # Every theme still offered, and a retired one the point already has (so that saving
        # the point keeps it).
        offered = Q(is_active=True)
        if point is not None:
            offered |= Q(learning_points=point)
        self.fields["themes"].queryset = (  # type: ignore[attr-defined]
            Theme.objects.filter(offered).distinct().order_by("name")
        )
