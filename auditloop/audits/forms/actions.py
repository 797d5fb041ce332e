"""Forms for actions: adding one from a finding, marking it done, sending it back, cancelling
it."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Answer, Audit
from auditloop.audits.selectors.actions import action_owner_choices
from auditloop.core.forms import GovukDateField

OVERALL = "overall"


class OwnerChoiceField(forms.ModelChoiceField[StaffMember]):
    def label_from_instance(self, obj: StaffMember) -> str:
        return f"{obj.name} ({obj.get_role_display()})"


class ActionCreateForm(forms.Form):
    finding = forms.ChoiceField(
        label="Which finding is this action from?",
        error_messages={"required": "Select the finding this action is from"},
    )
    description = forms.CharField(
        label="What needs to be done?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the action"},
    )
    owner = OwnerChoiceField(
        label="Who owns it?",
        queryset=StaffMember.objects.none(),
        empty_label="Select who owns it",
        error_messages={"required": "Select who owns the action"},
    )
    due_date = GovukDateField(
        label="Due date",
        help_text="For example, 27 3 2027",
        error_messages={"required": "Enter the due date"},
    )

    def __init__(self, *args: Any, audit: Audit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit = audit
        self.answers: dict[str, Answer] = {
            a.question.code: a
            for a in audit.answers.select_related("question").order_by(
                "question__section__order", "question__order"
            )
        }
        self.fields["finding"].choices = [  # type: ignore[attr-defined]
            (OVERALL, "The audit overall"),
            *((code, f"{code}: {a.question.text}") for code, a in self.answers.items()),
        ]
        self.fields["owner"].queryset = action_owner_choices(audit)  # type: ignore[attr-defined]

    def chosen_answer(self) -> Answer | None:
        return self.answers.get(self.cleaned_data["finding"])


class ActionCompleteForm(forms.Form):
    evidence = forms.CharField(
        label="Evidence that the action is done",
        help_text="For example, the date of the visit and where it is recorded.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the evidence that the action is done"},
    )


class ActionSendBackForm(forms.Form):
    reason = forms.CharField(
        label="Why are you sending it back?",
        help_text="The owner sees this, does what is still needed and marks it as done again.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the action is sent back"},
    )


class ActionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the action cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the action is cancelled"},
    )
