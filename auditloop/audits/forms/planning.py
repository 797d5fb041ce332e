"""Forms for planning an audit: finding the case, then choosing the tool, type and auditor."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import formats, timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.forms.audits import staff_label
from auditloop.audits.models import (
    Audit,
    AuditType,
    ToolVersion,
)
from auditloop.audits.selectors.planning import (
    auditors_independent_of,
    audits_of_case_to_revisit,
    cases_to_plan_by_child_id,
)
from auditloop.cases.models import ChildCase
from auditloop.core.forms import GovukDateField

_TEXTAREA = forms.Textarea(attrs={"rows": 3})


NO_OPEN_CASE = "No open case with that LA child ID in your services"


CASE_GONE = (
    "The case you chose is no longer open in your services. Enter an LA child ID to find a case"
)


class AuditCaseFindForm(forms.Form):
    """Step 1 of planning an audit: which child's case. Sent by POST, so the ID typed never
    appears in a URL, a browser history or a server log. A case in another service is not
    found, exactly as a missing one."""

    la_child_id = forms.CharField(
        label="LA child ID",
        max_length=64,
        help_text=(
            "The whole ID, as the case management system shows it, including any leading "
            "zeros. Capital letters do not matter. Only open cases in your services are found."
        ),
        error_messages={"required": "Enter the LA child ID"},
    )

    def __init__(self, *args: Any, staff: StaffMember, case_gone: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.case: ChildCase | None = None
        if case_gone:
            # Bound with nothing typed, so this is the error the page shows.
            self.fields["la_child_id"].error_messages["required"] = CASE_GONE

    def clean_la_child_id(self) -> str:
        typed: str = self.cleaned_data["la_child_id"]
        matches = cases_to_plan_by_child_id(self.staff, typed)
        exact = [c for c in matches if c.la_child_id == typed]
        if exact:
            self.case = exact[0]
        elif len(matches) == 1:
            self.case = matches[0]
        elif matches:
            raise forms.ValidationError(
                "More than one open case has that LA child ID when capitals are ignored. "
                "Enter it with its capital letters exactly as the case management system "
                "shows it"
            )
        else:
            raise forms.ValidationError(NO_OPEN_CASE)
        return typed


class _EarlierAuditField(forms.ModelChoiceField[Audit]):
    def label_from_instance(self, obj: Audit) -> str:
        when = (
            formats.date_format(timezone.localtime(obj.submitted_at), "j F Y")
            if obj.submitted_at
            else "not submitted"
        )
        name = f"{obj.get_audit_type_display()} submitted {when}"
        if obj.grades_hidden:
            return f"{name}, grade hidden until you regrade it"
        grade = obj.grade_shown.label if obj.grade_shown else "not graded"
        return f"{name}, graded {grade}"


class _AuditorField(forms.ChoiceField):
    """Offers the auditors independent of the case, yet accepts anyone who can audit in the
    lead's services: when someone not offered is sent, the service's refusal says why they
    cannot audit this case, against this field. Cleans to a StaffMember."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.candidates: dict[str, StaffMember] = {}

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.candidates

    def clean(self, value: Any) -> StaffMember | None:
        text = self.to_python(value)
        self.validate(text)
        self.run_validators(text)
        return self.candidates.get(text)


class AuditCreateForm(forms.Form):
    """Step 2 of planning an audit, for one case already found (and checked again on every
    POST by the view). Every choice is posted by its opaque id."""

    case = forms.UUIDField(widget=forms.HiddenInput)
    tool_version = forms.ModelChoiceField(
        label="Audit tool",
        queryset=ToolVersion.objects.none(),
        empty_label="Choose an audit tool",
        to_field_name="public_id",
        help_text="Only published versions can be used.",
        error_messages={"required": "Choose an audit tool"},
    )
    audit_type = forms.ChoiceField(
        label="Type of audit",
        choices=AuditType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of audit"},
    )
    theme = forms.CharField(
        label="Theme",
        max_length=150,
        required=False,
        help_text=(
            "Only for a thematic audit, for example \u2018domestic abuse\u2019. "
            "Leave it empty for other types."
        ),
    )
    revisit_of = _EarlierAuditField(
        label="Earlier audit this revisit follows up",
        queryset=Audit.objects.none(),
        empty_label="Not a revisit",
        to_field_name="public_id",
        required=False,
        help_text=(
            "Only for a revisit: the submitted or completed audit of this case it follows up."
        ),
    )
    auditor = _AuditorField(
        label="Auditor",
        help_text=(
            "Only staff who can audit and neither hold nor manage this case: its social "
            "worker, their manager and the team's managers are not offered."
        ),
        error_messages={"required": "Choose an auditor"},
    )
    due_date = GovukDateField(label="Due date", required=False, help_text="For example, 27 3 2026")

    def __init__(
        self,
        *args: Any,
        staff: StaffMember,
        case: ChildCase,
        auditors: list[StaffMember],
        **kwargs: Any,
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
        revisits = audits_of_case_to_revisit(staff, case)
        revisit_field = self.fields["revisit_of"]
        revisit_field.queryset = revisits  # type: ignore[attr-defined]
        self.has_earlier_audits = revisits.exists()
        if not self.has_earlier_audits:
            revisit_field.help_text = (
                "This case has no submitted or completed audit yet, so it cannot be revisited."
            )
        auditor_field = cast(_AuditorField, self.fields["auditor"])
        auditor_field.candidates = {str(s.public_id): s for s in auditors}
        auditor_field.choices = [
            ("", "Choose an auditor"),
            *((str(s.public_id), staff_label(s)) for s in auditors_independent_of(auditors, case)),
        ]
