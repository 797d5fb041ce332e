"""Forms for conducting an audit: the list filter, answering it, who took part in a deep dive,
and returning it to the auditor."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import (
    Action,
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
from auditloop.audits.selectors.actions import action_owner_choices
from auditloop.audits.selectors.audits import audits_matching
from auditloop.audits.services.actions import FindingAction
from auditloop.audits.services.audits import AnswerInput, Problem
from auditloop.core.forms import GovukDateField
from auditloop.core.versions import VersionField

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


# The fields beside a question for its action, or the reason why none is needed.
ACTION_PARTS = ("action_description", "action_owner", "action_due_date")


@dataclass
class QuestionRow:
    question: Question
    fields: dict[str, forms.BoundField]
    # For graded questions: (code, label, what this grade looks like for this question).
    grade_options: list[tuple[str, str, str]] = field(default_factory=list)
    # The actions already added from this question's answer.
    actions: list[Action] = field(default_factory=list)
    # When an action is needed for this question, in words.
    action_hint: str = ""

    @property
    def action_open(self) -> bool:
        """Show the action fields open: something is typed in them, or wrong with them."""
        parts = [p for p in (*ACTION_PARTS, "no_action_reason") if p in self.fields]
        return any(self.fields[p].errors or self.fields[p].value() for p in parts)


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
        "version": audit.version,
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
        initial[_name(qid, "no_action_reason")] = answer.no_action_reason
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
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        audit: Audit,
        sections: list[Section],
        grades: list[Grade],
        answers: dict[int, Answer],
        actions: dict[int, list[Action]] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", _initial_answers(audit, grades, answers))
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.grades = {g.code: g for g in grades}
        # A calibration audit is an exercise, and a partner agency's audit is weighed at
        # moderation: their findings need no actions.
        self.takes_actions = audit.raises_actions
        self.actions = actions or {}
        self.owners = (
            {str(s.pk): s for s in action_owner_choices(audit)} if self.takes_actions else {}
        )
        self.owner_choices = [("", "Select who owns it")] + [
            (pk, f"{s.name} ({s.get_role_display()})") for pk, s in self.owners.items()
        ]
        weak = [g.label for g in grades if g.needs_action]
        self.grade_action_hint = (
            f"A grade of {_either(weak)} needs an action, or a reason why none is needed, "
            "before you submit."
            if weak
            else ""
        )
        grade_choices = [(g.code, g.label) for g in grades]
        self.fields["overall_grade"].choices = grade_choices  # type: ignore[attr-defined]
        self.is_deep_dive = audit.audit_type == AuditType.DEEP_DIVE
        if not self.is_deep_dive:
            del self.fields["meeting_date"]
            del self.fields["practitioner_reflection"]
        self.question_ids: list[int] = []
        self.codes: dict[int, str] = {}
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
                self.codes[q.pk] = q.code
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
                        actions=self.actions.get(q.pk, []),
                        action_hint=COMPLIANCE_ACTION_HINT
                        if q.kind == QuestionKind.COMPLIANCE
                        else self.grade_action_hint,
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
        if self.takes_actions:
            new |= self._action_fields(q)
        names = []
        for part, form_field in new.items():
            self.fields[_name(q.pk, part)] = form_field
            names.append(_name(q.pk, part))
        return names

    def _action_fields(self, q: Question) -> dict[str, forms.Field]:
        """Beside each question: an action from its answer (what, who, by when), or why none
        is needed. Blank unless the answer needs one; checked together in `clean`."""
        return {
            "action_description": forms.CharField(
                label=f"{q.code}: what needs to be done",
                required=False,
                widget=_TEXTAREA,
            ),
            "action_owner": forms.ChoiceField(
                label=f"{q.code}: who owns the action",
                required=False,
                choices=self.owner_choices,
            ),
            "action_due_date": GovukDateField(
                label=f"{q.code}: when the action is due",
                required=False,
                help_text="For example, 27 3 2027",
            ),
            "no_action_reason": forms.CharField(
                label=f"Or, why is no action needed for {q.code}?",
                required=False,
                widget=_TEXTAREA,
                help_text="For example, the record was put right while you audited it.",
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for qid in self.question_ids if self.takes_actions else []:
            self._clean_action(qid, data)
        return data

    def _clean_action(self, qid: int, data: dict[str, Any]) -> None:
        """An action beside a question needs all three parts, a due date not yet past, and an
        answer to the question it comes from."""
        description, owner, due = (data.get(_name(qid, part)) for part in ACTION_PARTS)
        if not (description or owner or due) or self.has_error(_name(qid, "action_due_date")):
            return
        code = self.codes[qid]
        answered = data.get(_name(qid, "compliance")) or data.get(_name(qid, "grade"))
        if not answered:
            self.add_error(
                _name(qid, "action_description"),
                f"Answer {code} before you add an action for it",
            )
        if not description:
            self.add_error(_name(qid, "action_description"), f"Describe the action for {code}")
        if not owner:
            self.add_error(_name(qid, "action_owner"), f"Select who owns the action for {code}")
        if not due:
            self.add_error(
                _name(qid, "action_due_date"), f"Enter when the action for {code} is due"
            )
        elif due < timezone.localdate():
            self.add_error(
                _name(qid, "action_due_date"),
                f"The due date of the action for {code} must be today or in the future",
            )

    def action_inputs(self) -> list[FindingAction]:
        """The actions typed beside their questions, complete (`clean` has checked them)."""
        out = []
        for qid in self.question_ids if self.takes_actions else []:
            description, owner, due = (
                self.cleaned_data.get(_name(qid, part)) for part in ACTION_PARTS
            )
            if description and owner and due:
                out.append(
                    FindingAction(
                        question_id=qid,
                        description=description,
                        owner=self.owners[owner],
                        due_date=due,
                    )
                )
        return out

    def data_without_actions(self) -> QueryDict | dict[str, Any]:
        """What was sent, less the actions beside the questions: for showing the page again
        once they are added, so that sending it again does not add them twice."""
        drop = {
            key
            for qid in self.question_ids
            for part in ACTION_PARTS
            for key in (_name(qid, part), *(f"{_name(qid, part)}-{d}" for d in DATE_PARTS))
        }
        if isinstance(self.data, QueryDict):
            kept = self.data.copy()
            for key in drop:
                kept.pop(key, None)
            return kept
        return {k: v for k, v in self.data.items() if k not in drop}

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
                no_action_reason=data.get(_name(qid, "no_action_reason")) or "",
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
            "expected_version": data.get("version"),
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


COMPLIANCE_ACTION_HINT = "A No needs an action, or a reason why none is needed, before you submit."
DATE_PARTS = ("day", "month", "year")


def _either(labels: list[str]) -> str:
    """ "A", "A or B", "A, B or C"."""
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} or {labels[-1]}"


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
