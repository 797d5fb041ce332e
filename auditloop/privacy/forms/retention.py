"""The retention pages' forms: one rule of the schedule, a legal hold put on and taken off,
and the confirmation that runs the schedule."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.privacy.models import RetentionRule
from auditloop.privacy.rules.retention import (
    ANCHOR_LABELS,
    ANCHORS,
    MAX_YEARS,
    OUTCOME_LABELS,
    OUTCOMES,
    RecordKind,
)


class RetentionRuleForm(forms.Form):
    years = forms.IntegerField(
        label="Years",
        min_value=0,
        max_value=MAX_YEARS,
        error_messages={
            "required": "Enter the number of years, or 0.",
            "invalid": "Years must be a whole number, like 6.",
            "min_value": "Years cannot be negative.",
            "max_value": f"Enter at most {MAX_YEARS} years.",
        },
    )
    months = forms.IntegerField(
        label="Months",
        min_value=0,
        max_value=11,
        help_text="0 to 11; count whole years in years.",
        error_messages={
            "required": "Enter the number of months, or 0.",
            "invalid": "Months must be a whole number, like 0.",
            "min_value": "Months cannot be negative.",
            "max_value": "Months must be between 0 and 11; count whole years in years.",
        },
    )
    anchor = forms.ChoiceField(
        label="Counted from",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the event the period is counted from.",
            "invalid_choice": "Choose one of the events offered.",
        },
    )
    outcome = forms.ChoiceField(
        label="At the end of the period",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what happens at the end of the period.",
            "invalid_choice": "Choose one of the ends offered.",
        },
    )
    basis = forms.CharField(
        label="Why (the guidance or decision this follows)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, rule: RetentionRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = RecordKind(rule.kind)
        anchor = self.fields["anchor"]
        outcome = self.fields["outcome"]
        if not isinstance(anchor, forms.ChoiceField) or not isinstance(outcome, forms.ChoiceField):
            raise TypeError("The rule's anchor and outcome are choices.")
        anchor.choices = [(a.value, ANCHOR_LABELS[a].capitalize()) for a in ANCHORS[kind]]
        outcome.choices = [(o.value, OUTCOME_LABELS[o]) for o in OUTCOMES[kind]]


class LegalHoldForm(forms.Form):
    """Sent by POST, so the ID typed never appears in a URL, a browser history or a log."""

    la_child_id = forms.CharField(
        label="LA child ID",
        max_length=64,
        help_text="The whole ID of the child's case file, as on the council's case list.",
        error_messages={"required": "Enter the LA child ID of the case to hold."},
    )
    reason = forms.CharField(
        label="Why is the case on hold?",
        help_text="For example, a claim, a complaint or an inquiry, with its reference.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the case is on hold."},
    )


class LegalHoldRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why is the hold taken off?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the hold is taken off."},
    )


class RetentionRunForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that the records listed will be deleted or anonymised, and that "
        "this cannot be undone",
        error_messages={"required": "Confirm that you understand the records will go."},
    )
