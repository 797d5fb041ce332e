"""Forms for setting a calibration exercise: the case is found as an audit's is (by LA child ID,
posted, never in a URL: `AuditCaseFindForm`), then the title, tool, due date and auditors."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.forms.audits import staff_label
from auditloop.audits.models import ToolVersion
from auditloop.audits.selectors.planning import auditors_independent_of
from auditloop.cases.models import ChildCase
from auditloop.core.forms import GovukDateField


class _AuditorsField(forms.MultipleChoiceField):
    """Offers the auditors independent of the case, yet accepts anyone who can audit in the
    lead's services: when someone not offered is sent, the service's refusal says why they
    cannot audit this case. Cleans to a list of StaffMember."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.candidates: dict[str, StaffMember] = {}

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.candidates

    def clean(self, value: Any) -> list[StaffMember]:
        texts = self.to_python(value)
        self.validate(texts)
        self.run_validators(texts)
        return [self.candidates[t] for t in texts]


class CalibrationSetForm(forms.Form):
    """Step 2 of setting an exercise, for one case already found (checked again on every POST
    by the view). Every choice is posted by its opaque id."""

    case = forms.UUIDField(widget=forms.HiddenInput)
    title = forms.CharField(
        label="Title",
        max_length=150,
        help_text=(
            "For example, \u2018Spring calibration, child protection\u2019. It is shown on "
            "lists and in page titles, so never the child\u2019s ID."
        ),
        error_messages={"required": "Enter a title for the exercise"},
    )
    tool_version = forms.ModelChoiceField(
        label="Audit tool",
        queryset=ToolVersion.objects.none(),
        empty_label="Choose an audit tool",
        to_field_name="public_id",
        help_text="Only published versions can be used.",
        error_messages={"required": "Choose an audit tool"},
    )
    due_date = GovukDateField(
        label="Due date",
        help_text="Today or later, for example 27 3 2026",
        error_messages={"required": "Enter the date the audits are due"},
    )
    auditors = _AuditorsField(
        label="Auditors",
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Choose two or more. Only staff who can audit and neither hold nor manage this "
            "case are offered. You may choose yourself: you will then see the others\u2019 "
            "answers only once everyone has submitted, like any auditor in the exercise."
        ),
        error_messages={"required": "Choose two or more auditors"},
    )

    def __init__(
        self, *args: Any, case: ChildCase, auditors: list[StaffMember], **kwargs: Any
    ) -> None:
        """`auditors`: everyone who can audit in the lead's services; only those independent
        of `case` are offered."""
        kwargs.setdefault("initial", {"case": case.public_id})
        super().__init__(*args, **kwargs)
        self.fields["tool_version"].queryset = (  # type: ignore[attr-defined]
            ToolVersion.objects.filter(is_published=True)
            .select_related("tool")
            .order_by("tool__name", "-number")
        )
        field = cast(_AuditorsField, self.fields["auditors"])
        field.candidates = {str(s.public_id): s for s in auditors}
        field.choices = [
            (str(s.public_id), staff_label(s)) for s in auditors_independent_of(auditors, case)
        ]

    def clean_due_date(self) -> Any:
        due = self.cleaned_data["due_date"]
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future")
        return due
