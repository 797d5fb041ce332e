"""The subject access request form: whose records (a child, by the LA child ID typed in; or a
member of staff, chosen from the staff list)."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.accounts.models import StaffMember
from auditloop.cases.models import ChildCase
from auditloop.privacy.rules.subjectaccess import SubjectKind
from auditloop.privacy.selectors.subjectaccess import case_by_child_id

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
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    staff = forms.ModelChoiceField(
        label="Member of staff",
        help_text="For a member of staff: current and former staff are listed.",
        queryset=StaffMember.objects.order_by("name", "pk"),
        to_field_name="public_id",
        required=False,
        empty_label="Choose a member of staff",
    )

    case: ChildCase | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == SubjectKind.CHILD:
            child_id = (cleaned.get("la_child_id") or "").strip()
            if not child_id:
                self.add_error("la_child_id", "Enter the child's LA child ID")
            else:
                self.case = case_by_child_id(child_id)
                if self.case is None:
                    self.add_error("la_child_id", UNKNOWN_CHILD_ID)
        elif kind == SubjectKind.STAFF and cleaned.get("staff") is None:
            self.add_error("staff", "Choose the member of staff whose records are asked for")
        return cleaned
