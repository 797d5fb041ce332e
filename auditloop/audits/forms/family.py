"""Forms for the child's and the family's view: the auditor's record of a contact, the lead's
online form link, the family's own form, and the questions a tool version asks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from auditloop.audits.models import (
    ContactMethod,
    FamilyAnswerKind,
    FamilyQuestion,
    FamilyReply,
    FamilyViewAsked,
    Respondent,
)
from auditloop.audits.rules import MAX_ANSWER_LENGTH, MAX_FAMILY_QUESTIONS, MAX_QUESTION_LENGTH
from auditloop.audits.services.family import FamilyQuestionDraft

YES_NO = [("yes", "Yes"), ("no", "No")]


class FamilyAnswersForm(forms.Form):
    """A field for each of a tool version's family questions (`q<id>`), none required: a
    family may leave any question unanswered."""

    def __init__(self, *args: Any, questions: Sequence[FamilyQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == FamilyAnswerKind.AGREEMENT:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    choices=FamilyReply.choices,
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    required=False,
                    max_length=MAX_ANSWER_LENGTH,
                )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q{question.pk}"] for question in self.questions]

    def replies(self) -> dict[int, str]:
        return {
            q.pk: self.cleaned_data.get(f"q{q.pk}") or ""
            for q in self.questions
            if q.kind == FamilyAnswerKind.AGREEMENT
        }

    def texts(self) -> dict[int, str]:
        return {
            q.pk: self.cleaned_data.get(f"q{q.pk}") or ""
            for q in self.questions
            if q.kind == FamilyAnswerKind.TEXT
        }


class FamilyContactForm(FamilyAnswersForm):
    respondent = forms.ChoiceField(
        label="Who was the contact with?",
        choices=Respondent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the contact was with"},
    )
    made = forms.ChoiceField(
        label="Was contact made?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether contact was made"},
    )
    method = forms.ChoiceField(
        label="How was contact made?",
        choices=[c for c in ContactMethod.choices if c[0] != ContactMethod.ONLINE_FORM],
        widget=forms.RadioSelect,
        required=False,
        help_text="An online form's answers are added by the form itself.",
    )
    not_made_reason = forms.CharField(
        label="If contact was not made, why not?",
        help_text="For example: three calls unanswered, or the family declined.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_ANSWER_LENGTH,
    )
    own_words = forms.CharField(
        label="In their own words",
        help_text=(
            "What they told you, as they said it. For a child or young person, write their "
            "words, not a summary. Do not include anyone's name."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=MAX_ANSWER_LENGTH,
    )

    field_order = ["respondent", "made", "method", "not_made_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("made") == "yes" and not data.get("method"):
            self.add_error("method", "Choose how contact was made")
        if data.get("made") == "no" and not (data.get("not_made_reason") or "").strip():
            self.add_error("not_made_reason", "Say why contact was not made")
        return data


class FamilyLinkForm(forms.Form):
    respondent = forms.ChoiceField(
        label="Who is the form for?",
        choices=Respondent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the form is for"},
    )


class FamilyFormAnswers(FamilyAnswersForm):
    """The family's own form: only the questions, and a box for anything else."""

    own_words = forms.CharField(
        label="Is there anything else you want to tell us?",
        help_text="You can write as much or as little as you like.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=MAX_ANSWER_LENGTH,
    )


class FamilyQuestionsForm(forms.Form):
    """A tool version's family questions, in numbered boxes (an empty box drops its
    question), with how each is answered and which is set beside the judgement of impact."""

    asked = forms.ChoiceField(
        label="When is the family's view asked?",
        choices=FamilyViewAsked.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the family's view is asked"},
    )
    impact = forms.ChoiceField(
        label="Which question is set beside the auditor's judgement of impact?",
        help_text=(
            "The cycle review compares its answers with the audit's overall grade. Choose a "
            "yes, partly or no question."
        ),
        choices=[("", "None of them")]
        + [(str(n), f"Question {n}") for n in range(1, MAX_FAMILY_QUESTIONS + 1)],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, MAX_FAMILY_QUESTIONS + 1):
            self.fields[f"text_{number}"] = forms.CharField(
                label=f"Question {number}",
                required=False,
                max_length=MAX_QUESTION_LENGTH,
            )
            self.fields[f"kind_{number}"] = forms.ChoiceField(
                label=f"How is question {number} answered?",
                choices=FamilyAnswerKind.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=FamilyAnswerKind.AGREEMENT,
            )

    @staticmethod
    def initial_for(asked: str, questions: Sequence[FamilyQuestion]) -> dict[str, Any]:
        initial: dict[str, Any] = {"asked": asked, "impact": ""}
        for number, question in enumerate(questions, start=1):
            initial[f"text_{number}"] = question.text
            initial[f"kind_{number}"] = question.kind
            if question.about_impact:
                initial["impact"] = str(number)
        return initial

    def numbered(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"text_{n}"], self[f"kind_{n}"]) for n in range(1, MAX_FAMILY_QUESTIONS + 1)]

    def drafts(self) -> list[FamilyQuestionDraft]:
        impact = self.cleaned_data.get("impact") or ""
        return [
            FamilyQuestionDraft(
                text=self.cleaned_data.get(f"text_{n}") or "",
                kind=self.cleaned_data.get(f"kind_{n}") or FamilyAnswerKind.AGREEMENT,
                about_impact=impact == str(n),
            )
            for n in range(1, MAX_FAMILY_QUESTIONS + 1)
        ]
