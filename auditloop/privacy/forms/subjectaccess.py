"""The subject access request form: whose records (a child, by the LA child ID typed in; or a
member of staff, chosen from the staff list)."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.accounts.models import StaffMember
from auditloop.cases.models import ChildCase
from auditloop.privacy.rules.subjectaccess import SubjectKind
from auditloop.privacy.selectors.cases import case_by_child_id

UNKNOWN_CHILD_ID = (
    "No case file has this LA child ID. Check the ID as the case list gives it (with any "
    "leading zeros or letters) and try again."
)


class SubjectAccessForm(forms.Form):
    kind = forms.ChoiceField(
        label="Whose records are asked for?",
        choices=[
            (SubjectKind.CHILD, "A child or young person"),
            (SubjectKind.STAFF, "A member of staff"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the request is for a child or staff"},
    )
    la_child_id = forms.CharField(
        label="LA child ID",
        help_text="For a child: their ID on the council's case list.",
        max_length=64,
        error_messages={"required": "Enter the child's LA child ID"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    staff = forms.ModelChoiceField(
        label="Member of staff",
        help_text="For a member of staff: current and former staff are listed.",
        queryset=StaffMember.objects.order_by("name", "pk"),
        to_field_name="public_id",
        empty_label="Choose a member of staff",
        error_messages={"required": "Choose the member of staff whose records are asked for"},
    )

    case: ChildCase | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each of the two is needed for its own kind of subject only. Unbound, both are
        # shown as needed (neither is optional: one of them must be given).
        kind = self.data.get("kind") if self.is_bound else None
        if self.is_bound:
            self.fields["la_child_id"].required = kind == SubjectKind.CHILD
            self.fields["staff"].required = kind == SubjectKind.STAFF

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        child_id = cleaned.get("la_child_id")
        if kind == SubjectKind.CHILD and child_id:
            self.case = case_by_child_id(child_id)
            if self.case is None:
                self.add_error("la_child_id", UNKNOWN_CHILD_ID)
        return cleaned
