"""Forms for conducting an audit: the list filter, answering it, who took part in a deep dive,
and returning it to the auditor."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Grade,
    ParticipantRole,
    Question,
    QuestionKind,
    Section,
)
from auditloop.audits.rules import meeting_date_problem
from auditloop.audits.selectors.audits import audits_matching
from auditloop.audits.services.audits import AnswerInput, Problem
from auditloop.core.forms import GovukDateField

_TEXTAREA = forms.Textarea(attrs={"rows": 3})


class _NeededToSubmit:
    """Marked required, so the page does not call it optional, yet a draft may leave it
    blank: the submit service says what is missing."""

    required: bool

    def validate(self, value: Any) -> None:
        if value in (None, ""):
            return
        super().validate(value)  # type: ignore[misc]


class _SubmitCharField(_NeededToSubmit, forms.CharField):
    pass


class _SubmitChoiceField(_NeededToSubmit, forms.ChoiceField):
    pass


class _SubmitDateField(_NeededToSubmit, GovukDateField):
    pass


class AuditFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *AuditStatus.choices]
    )
    audit_type = forms.ChoiceField(
        label="Type",
        required=False,
        # Calibration audits are exercises: listed only when asked for (see audits_matching).
        choices=[("", "Any type but calibration"), *AuditType.choices],
    )

    def filter(self, audits: QuerySet[Audit]) -> QuerySet[Audit]:
        # Unfiltered (or filtered wrongly), the list is still the list's: no calibration audits.
        data = self.cleaned_data if self.is_valid() else {}
        return audits_matching(
            audits,
            status=data.get("status") or "",
            audit_type=data.get("audit_type") or "",
        )


class _StaffChoiceField(forms.ModelChoiceField[StaffMember]):
    def label_from_instance(self, obj: StaffMember) -> str:
        return staff_label(obj)


def staff_label(staff: StaffMember) -> str:
    where = staff.team.name if staff.team else "no team"
    return f"{staff.name} ({staff.get_role_display()}, {where})"


@dataclass
class QuestionRow:
    question: Question
    fields: dict[str, forms.BoundField]
    # For graded questions: (code, label, what this grade looks like for this question).
    grade_options: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class SectionRows:
    section: Section
    rows: list[QuestionRow]


def _name(question_id: int, part: str) -> str:
    return f"q{question_id}_{part}"


def _initial_answers(
    audit: Audit, grades: list[Grade], answers: dict[int, Answer]
) -> dict[str, Any]:
    """The form's starting values: the audit's findings and every answer saved so far."""
    initial: dict[str, Any] = {
        "meeting_date": audit.meeting_date,
        "overall_grade": audit.overall_grade.code if audit.overall_grade else "",
        "strengths": audit.strengths,
        "areas_for_development": audit.areas_for_development,
        "impact_on_child": audit.impact_on_child,
        "practitioner_reflection": audit.practitioner_reflection,
    }
    grade_by_id = {g.pk: g for g in grades}
    for answer in answers.values():
        qid = answer.question_id
        initial[_name(qid, "compliance")] = answer.compliance
        grade = grade_by_id.get(answer.grade_id) if answer.grade_id else None
        initial[_name(qid, "grade")] = grade.code if grade else ""
        initial[_name(qid, "evidence")] = answer.evidence
        initial[_name(qid, "working_well")] = answer.working_well
        initial[_name(qid, "worried_about")] = answer.worried_about
    return initial


class AuditAnswersForm(forms.Form):
    """Every question of the audit's tool version on one page, plus the overall findings.

    Nothing is required for a draft; completeness is checked by the submit service, whose
    problems `add_problems` puts against the fields they concern."""

    meeting_date = _SubmitDateField(
        label="Date of the deep dive meeting",
        help_text="The day you met the social worker and their manager. For example, 27 3 2026",
    )
    overall_grade = _SubmitChoiceField(
        label="Overall grade",
        widget=forms.RadioSelect,
        help_text=(
            "A holistic judgement of the practice on this case, not an average of the grades "
            "above. If the child is not safe, say so at once, whatever the grades."
        ),
    )
    strengths = _SubmitCharField(label="Strengths", widget=_TEXTAREA)
    areas_for_development = _SubmitCharField(label="Areas for development", widget=_TEXTAREA)
    impact_on_child = _SubmitCharField(
        label="Impact on the child",
        widget=_TEXTAREA,
        help_text="What difference has the work made to the child's daily life and safety?",
    )
    practitioner_reflection = forms.CharField(
        label="The practitioner's reflection",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In their own words: what they learnt and what they will do differently.",
    )

    def __init__(
        self,
        *args: Any,
        audit: Audit,
        sections: list[Section],
        grades: list[Grade],
        answers: dict[int, Answer],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", _initial_answers(audit, grades, answers))
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.grades = {g.code: g for g in grades}
        grade_choices = [(g.code, g.label) for g in grades]
        self.fields["overall_grade"].choices = grade_choices  # type: ignore[attr-defined]
        self.is_deep_dive = audit.audit_type == AuditType.DEEP_DIVE
        if not self.is_deep_dive:
            del self.fields["meeting_date"]
            del self.fields["practitioner_reflection"]
        self.question_ids: list[int] = []
        self.sections = self._section_rows(sections, grades, grade_choices)

    def _section_rows(
        self, sections: list[Section], grades: list[Grade], grade_choices: list[tuple[str, str]]
    ) -> list[SectionRows]:
        """Add each question's fields, then lay them out by section for the template."""
        specs: list[tuple[Section, list[tuple[Question, list[str]]]]] = []
        for section in sections:
            rows = []
            for q in section.questions.all():
                self.question_ids.append(q.pk)
                rows.append((q, self._add_question_fields(q, grade_choices)))
            specs.append((section, rows))
        return [
            SectionRows(
                section=section,
                rows=[
                    QuestionRow(
                        question=q,
                        fields={n.split("_", 1)[1]: self[n] for n in names},
                        grade_options=[
                            (g.code, g.label, q.descriptors.get(g.code) or g.description)
                            for g in grades
                        ]
                        if q.kind == QuestionKind.GRADED
                        else [],
                    )
                    for q, names in rows
                ],
            )
            for section, rows in specs
        ]

    def _add_question_fields(self, q: Question, grade_choices: list[tuple[str, str]]) -> list[str]:
        hint_parts = [
            f"Applies to: {q.applies_to}." if q.applies_to else "",
            f"Basis: {q.basis}" if q.basis else "",
            q.guidance,
        ]
        hint = " ".join(p for p in hint_parts if p)
        label = f"{q.code} {q.text}"
        if q.kind == QuestionKind.COMPLIANCE:
            new = {
                "compliance": forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=ComplianceAnswer.choices,
                    widget=forms.RadioSelect,
                    help_text=hint,
                ),
                "evidence": forms.CharField(
                    label=f"Evidence note for {q.code}",
                    required=False,
                    widget=_TEXTAREA,
                    help_text="Needed when the answer is No: what the record shows, and where.",
                ),
            }
        else:
            new = {
                "grade": forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=grade_choices,
                    widget=forms.RadioSelect,
                    help_text=hint,
                ),
                "working_well": forms.CharField(
                    label=f"{q.code}: what is working well", required=False, widget=_TEXTAREA
                ),
                "worried_about": forms.CharField(
                    label=f"{q.code}: what we are worried about", required=False, widget=_TEXTAREA
                ),
            }
        names = []
        for part, form_field in new.items():
            self.fields[_name(q.pk, part)] = form_field
            names.append(_name(q.pk, part))
        return names

    def clean_meeting_date(self) -> datetime.date | None:
        meeting_date: datetime.date | None = self.cleaned_data.get("meeting_date")
        problem = meeting_date_problem(self.audit, meeting_date) if meeting_date else None
        if problem:
            raise forms.ValidationError(problem)
        return meeting_date

    def answer_inputs(self) -> dict[int, AnswerInput]:
        data = self.cleaned_data
        inputs: dict[int, AnswerInput] = {}
        for qid in self.question_ids:
            grade_code = data.get(_name(qid, "grade")) or ""
            inputs[qid] = AnswerInput(
                compliance=data.get(_name(qid, "compliance")) or "",
                grade=self.grades.get(grade_code),
                evidence=data.get(_name(qid, "evidence")) or "",
                working_well=data.get(_name(qid, "working_well")) or "",
                worried_about=data.get(_name(qid, "worried_about")) or "",
            )
        return inputs

    def findings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "meeting_date": data.get("meeting_date") if self.is_deep_dive else None,
            "overall_grade": self.grades.get(data.get("overall_grade") or ""),
            "strengths": data.get("strengths", ""),
            "areas_for_development": data.get("areas_for_development", ""),
            "impact_on_child": data.get("impact_on_child", ""),
            "practitioner_reflection": data.get("practitioner_reflection")
            if self.is_deep_dive
            else None,
        }

    def add_problems(self, problems: list[Problem]) -> None:
        """Put each of the submit service's problems against its field, with the first
        letter raised so it reads as a sentence in the error summary."""
        for problem in problems:
            message = problem.message[:1].upper() + problem.message[1:]
            if problem.question_id is not None:
                self.add_error(_name(problem.question_id, problem.field), message)
            elif problem.field in self.fields:
                self.add_error(problem.field, message)
            else:
                self.add_error(None, message)


class ParticipantForm(forms.Form):
    prefix = "participant"
    staff = _StaffChoiceField(
        label="Who took part",
        queryset=StaffMember.objects.none(),
        empty_label="Choose a member of staff",
        to_field_name="public_id",
        help_text="Staff in the service of the case's team.",
    )
    role = forms.ChoiceField(
        label="Their part", choices=ParticipantRole.choices, widget=forms.RadioSelect
    )
    contribution = forms.CharField(
        label="What they said",
        required=False,
        widget=_TEXTAREA,
        help_text="Their account of the work with the child, in their own words where you can.",
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = StaffMember.objects.filter(is_active=True).select_related("team")
        # A participant can then read the audit: offer only those around the case, never
        # the whole council (an audit of a case with no team offers its worker and manager).
        around_case = Q(pk=audit.practitioner_id) | Q(reports__pk=audit.practitioner_id)
        if audit.team is not None:
            around_case |= Q(team__service_id=audit.team.service_id)
        staff = staff.filter(around_case).distinct()
        self.fields["staff"].queryset = staff.order_by("name")  # type: ignore[attr-defined]
        if audit.practitioner_id is not None:
            self.fields["staff"].initial = audit.practitioner.public_id  # type: ignore[union-attr]


class AuditReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why are you returning this audit?",
        widget=_TEXTAREA,
        help_text="The auditor sees this and changes the audit before submitting it again.",
        error_messages={"required": "Say why the audit is being returned"},
    )
