"""Forms for the blind regrade: the moderator's grades, the agreed grades, saying that you
cannot agree, and the decision on a disagreement. Nothing is required by the form itself: the
service refuses what is missing, all or nothing, and `add_missing` puts each gap on its field."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms

from auditloop.assurance.services.regrade import GradeGiven, Missing
from auditloop.audits.models import Grade, Question

_TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _named(question: Question) -> str:
    """A question by its code and its words ("D6 Recording and chronology"), as the audit form
    names it: a code alone means nothing to someone who has not the tool by heart."""
    return f"{question.code} {question.text}"


class _NeededField(forms.CharField):
    """Marked required, so the page does not call it optional, yet may be sent blank: the
    service refuses what is missing, all or nothing, and names each."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, **kwargs)

    def validate(self, value: Any) -> None:
        if value in (None, ""):
            return
        super().validate(value)


@dataclass
class GradeFields:
    """One question's fields (or the overall grade's, when `question` is None), for the page."""

    question: Question | None
    grade: forms.BoundField
    text: forms.BoundField
    # Each grade as (code, label, what it means here), as the audit form offers them.
    options: list[tuple[str, str, str]]


class _GradesForm(forms.Form):
    """A grade and a note or reason for each of `questions`, and for the overall grade."""

    # What the text beside each grade is: "notes" or "reason".
    text_part = "reason"

    def __init__(
        self,
        data: Any = None,
        *,
        questions: Iterable[Question],
        grades: list[Grade],
        initial_grades: Mapping[int | None, Grade | None] | None = None,
        reason_needed: Iterable[int | None] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.grades = {g.code: g for g in grades}
        self.questions = list(questions)
        # Questions (by id; None for overall) whose reason is needed, not optional.
        self.reason_needed = set(reason_needed)
        choices = [(g.code, g.label) for g in grades]
        chosen = initial_grades or {}
        for q in self.questions:
            self._add(f"q{q.pk}", q, choices, chosen.get(q.pk))
        self._add("overall", None, choices, chosen.get(None))

    def _grade_label(self, question: Question | None) -> str:
        raise NotImplementedError

    def _text_label(self, question: Question | None) -> str:
        raise NotImplementedError

    def _text_field(self, question: Question | None) -> forms.CharField:
        """A reason, needed overall and where `reason_needed` says; else optional."""
        key = question.pk if question is not None else None
        if question is None or key in self.reason_needed:
            return _NeededField(label=self._text_label(question), widget=_TEXTAREA)
        return forms.CharField(label=self._text_label(question), required=False, widget=_TEXTAREA)

    def _add(
        self,
        key: str,
        question: Question | None,
        choices: list[tuple[str, str]],
        initial: Grade | None,
    ) -> None:
        self.fields[f"{key}_grade"] = forms.ChoiceField(
            label=self._grade_label(question),
            required=False,
            choices=choices,
            widget=forms.RadioSelect,
            initial=initial.code if initial is not None else None,
        )
        self.fields[f"{key}_{self.text_part}"] = self._text_field(question)

    def _options(self, question: Question | None) -> list[tuple[str, str, str]]:
        """Each grade with what it means for `question` (its descriptor, else the scale's
        description of the grade), as the audit form shows them: the moderator and the
        decider grade against the same words the auditor did."""
        descriptors = question.descriptors if question is not None else {}
        return [
            (g.code, g.label, descriptors.get(g.code) or g.description)
            for g in self.grades.values()
        ]

    def rows(self) -> list[GradeFields]:
        return [
            GradeFields(
                q,
                self[f"q{q.pk}_grade"],
                self[f"q{q.pk}_{self.text_part}"],
                self._options(q),
            )
            for q in self.questions
        ]

    def overall(self) -> GradeFields:
        return GradeFields(
            None, self["overall_grade"], self[f"overall_{self.text_part}"], self._options(None)
        )

    def _given(self, key: str) -> GradeGiven:
        data = self.cleaned_data
        return GradeGiven(
            grade=self.grades.get(data.get(f"{key}_grade") or ""),
            text=data.get(f"{key}_{self.text_part}") or "",
        )

    def given_grades(self) -> dict[int, GradeGiven]:
        return {q.pk: self._given(f"q{q.pk}") for q in self.questions}

    def given_overall(self) -> GradeGiven:
        return self._given("overall")

    def add_missing(self, missing: list[Missing]) -> None:
        """Put each gap the service named on its field, as a sentence."""
        for gap in missing:
            key = f"q{gap.key}" if gap.key is not None else "overall"
            part = "grade" if gap.field == "grade" else self.text_part
            name = f"{key}_{part}"
            message = gap.message[:1].upper() + gap.message[1:]
            self.add_error(name if name in self.fields else None, message)


class RegradeForm(_GradesForm):
    """The moderator's own grades, given blind."""

    prefix = "regrade"
    text_part = "notes"

    def _grade_label(self, question: Question | None) -> str:
        return f"Your grade for {_named(question)}" if question else "Your overall grade"

    def _text_field(self, question: Question | None) -> forms.CharField:
        return forms.CharField(
            label=f"Your notes on {question.code}" if question else "Your notes overall",
            required=False,
            widget=_TEXTAREA,
            help_text="What you will raise with the auditor when you meet.",
        )


class AgreementForm(_GradesForm):
    """The grades the moderator and the auditor agreed when they met, with reasons."""

    prefix = "agree"

    def _grade_label(self, question: Question | None) -> str:
        return f"Agreed grade for {_named(question)}" if question else "Agreed overall grade"

    def _text_label(self, question: Question | None) -> str:
        return f"Why {question.code} is graded so" if question else "Why the overall grade is so"


class DecisionForm(_GradesForm):
    """The head of service's decision on each grade in dispute and the overall grade."""

    prefix = "decide"

    def _grade_label(self, question: Question | None) -> str:
        return f"Your decision on {_named(question)}" if question else "Your decision overall"

    def _text_label(self, question: Question | None) -> str:
        return f"Why you decided {question.code} so" if question else "Why you decided so"


class CannotAgreeForm(forms.Form):
    prefix = "disagree"
    reason = forms.CharField(
        label="Why can you not agree?",
        widget=_TEXTAREA,
        help_text="The head of service reads this before deciding.",
        error_messages={"required": "Say why you cannot agree"},
    )


class ConfirmForm(forms.Form):
    """The auditor's confirmation, carrying when the grades they read were recorded."""

    prefix = "confirm"
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def seen_at(self) -> datetime.datetime | None:
        try:
            return datetime.datetime.fromisoformat(self.cleaned_data.get("seen") or "")
        except ValueError:
            return None
