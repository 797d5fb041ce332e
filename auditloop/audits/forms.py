"""Forms for conducting an audit: the list filter, planning an audit, answering it, who took
part in a deep dive, and returning it to the auditor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet

from auditloop.accounts.models import AUDITING_ROLES, StaffMember
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
    ToolVersion,
)
from auditloop.audits.selectors import services_overseen
from auditloop.audits.services.audits import AnswerInput, Problem
from auditloop.cases.models import ChildCase
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


class AuditFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *AuditStatus.choices]
    )
    audit_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *AuditType.choices]
    )

    def filter(self, audits: QuerySet[Audit]) -> QuerySet[Audit]:
        if not self.is_valid():
            return audits
        if status := self.cleaned_data.get("status"):
            audits = audits.filter(status=status)
        if audit_type := self.cleaned_data.get("audit_type"):
            audits = audits.filter(audit_type=audit_type)
        return audits


class _CaseChoiceField(forms.ModelChoiceField[ChildCase]):
    def label_from_instance(self, obj: ChildCase) -> str:
        team = obj.allocated_team.name if obj.allocated_team else "no team"
        return f"{obj.la_child_id} ({obj.cohort}, {team})"


class _StaffChoiceField(forms.ModelChoiceField[StaffMember]):
    def label_from_instance(self, obj: StaffMember) -> str:
        where = obj.team.name if obj.team else "no team"
        return f"{obj.name} ({obj.get_role_display()}, {where})"


class _EarlierAuditField(forms.ModelChoiceField[Audit]):
    def label_from_instance(self, obj: Audit) -> str:
        when = obj.submitted_at.date().isoformat() if obj.submitted_at else "not submitted"
        return f"{obj.case.la_child_id}: {obj.get_audit_type_display()}, submitted {when}"


class AuditCreateForm(forms.Form):
    """What an audit lead chooses to plan an audit. Every choice is posted by its opaque id."""

    case = _CaseChoiceField(
        label="Case",
        queryset=ChildCase.objects.none(),
        empty_label="Choose a case",
        to_field_name="public_id",
        help_text="Open cases in your services, by LA child ID, cohort and team.",
    )
    tool_version = forms.ModelChoiceField(
        label="Audit tool",
        queryset=ToolVersion.objects.none(),
        empty_label="Choose an audit tool",
        to_field_name="public_id",
        help_text="Only published versions can be used.",
    )
    audit_type = forms.ChoiceField(
        label="Type of audit", choices=AuditType.choices, widget=forms.RadioSelect
    )
    revisit_of = _EarlierAuditField(
        label="Earlier audit this revisit follows up",
        queryset=Audit.objects.none(),
        empty_label="Not a revisit",
        to_field_name="public_id",
        required=False,
        help_text="Only for a revisit: the submitted or completed audit of the same case.",
    )
    theme = forms.CharField(
        label="Theme",
        max_length=150,
        required=False,
        help_text="For a thematic audit, for example 'domestic abuse'.",
    )
    auditor = _StaffChoiceField(
        label="Auditor",
        queryset=StaffMember.objects.none(),
        empty_label="Choose an auditor",
        to_field_name="public_id",
        help_text="An auditor never audits a case they hold or manage.",
    )
    due_date = GovukDateField(label="Due date", required=False, help_text="For example, 27 3 2026")

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = services_overseen(staff)
        self.fields["case"].queryset = (  # type: ignore[attr-defined]
            ChildCase.objects.filter(is_open=True, allocated_team__service_id__in=services)
            .select_related("allocated_team")
            .order_by("la_child_id")
        )
        self.fields["tool_version"].queryset = (  # type: ignore[attr-defined]
            ToolVersion.objects.filter(is_published=True)
            .select_related("tool")
            .order_by("tool__name", "-number")
        )
        self.fields["revisit_of"].queryset = (  # type: ignore[attr-defined]
            Audit.objects.filter(
                team__service_id__in=services,
                status__in=[AuditStatus.SUBMITTED, AuditStatus.COMPLETED],
            )
            .select_related("case")
            .order_by("case__la_child_id", "-submitted_at")
        )
        self.fields["auditor"].queryset = (  # type: ignore[attr-defined]
            StaffMember.objects.filter(is_active=True, role__in=AUDITING_ROLES)
            .select_related("team")
            .order_by("name")
        )


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


class AuditAnswersForm(forms.Form):
    """Every question of the audit's tool version on one page, plus the overall findings.

    Nothing is required for a draft; completeness is checked by the submit service, whose
    problems `add_problems` puts against the fields they concern."""

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
        initial: dict[str, Any] = {
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
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.grades = {g.code: g for g in grades}
        grade_choices = [(g.code, g.label) for g in grades]
        self.fields["overall_grade"].choices = grade_choices  # type: ignore[attr-defined]
        self.is_deep_dive = audit.audit_type == AuditType.DEEP_DIVE
        if not self.is_deep_dive:
            del self.fields["practitioner_reflection"]
        self.question_ids: list[int] = []
        specs: list[tuple[Section, list[tuple[Question, list[str]]]]] = []
        for section in sections:
            rows = []
            for q in section.questions.all():
                self.question_ids.append(q.pk)
                rows.append((q, self._add_question_fields(q, grade_choices)))
            specs.append((section, rows))
        self.sections = [
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
        if audit.team is not None:
            staff = staff.filter(team__service_id=audit.team.service_id)
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
