"""Forms for audits with partner agencies: the audit lead's invitation, which says what of
the case is shared."""

from __future__ import annotations

from django import forms

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.services.partners import SUMMARY_LIMIT
from auditloop.core.forms import GovukDateField


class _PartnerChoiceField(forms.ModelChoiceField[StaffMember]):
    def label_from_instance(self, obj: StaffMember) -> str:
        organisation = obj.user.organisation if obj.user is not None else ""
        return f"{obj.name} ({organisation})" if organisation else obj.name


class PartnerInviteForm(forms.Form):
    partner = _PartnerChoiceField(
        label="Partner agency auditor",
        queryset=StaffMember.objects.none(),
        empty_label="Select a partner agency auditor",
        to_field_name="public_id",
        error_messages={"required": "Select a partner agency auditor"},
    )
    case_summary = forms.CharField(
        label="What you share with them about the case",
        max_length=SUMMARY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "They see only this, the audit tool and what you tick below: no other record of "
            "the case, the child or the council's audits. Share what their agency needs to "
            "answer the audit. Do not write the child's name unless they need it."
        ),
        error_messages={"required": "Enter what you share with the partner about the case"},
    )
    share_child_id = forms.BooleanField(
        required=False,
        label="Show them the child's LA child ID",
    )
    share_cohort = forms.BooleanField(
        required=False,
        label="Show them the cohort (child in need, child protection, looked after, care leaver)",
    )
    due_date = GovukDateField(
        label="Due date (optional)",
        required=False,
        help_text="For example, 27 3 2027",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["partner"].queryset = (  # type: ignore[attr-defined]
            StaffMember.objects.filter(role=Role.PARTNER, is_active=True)
            .select_related("user")
            .order_by("name")
        )


class PartnerShareForm(forms.Form):
    """What the audit lead shares with the partner of their audit, changed after it is given."""

    case_summary = PartnerInviteForm.base_fields["case_summary"]
    share_child_id = PartnerInviteForm.base_fields["share_child_id"]
    share_cohort = PartnerInviteForm.base_fields["share_cohort"]
