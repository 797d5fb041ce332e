"""Forms for revisits: scheduling one, and choosing which revisits and figures a page shows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats

from auditloop.accounts.models import Service, StaffMember
from auditloop.accounts.selectors import auditors_in_services_of
from auditloop.assurance.selectors.revisits import (
    SHOW_CHOICES,
    RevisitScope,
    revisit_scope,
    revisit_services,
)
from auditloop.assurance.services.revisits import (
    earlier_auditor_unavailable,
    revisit_due_default,
    revisit_weeks,
)
from auditloop.audits.forms.audits import staff_label
from auditloop.audits.models import Audit
from auditloop.audits.selectors.planning import auditors_independent_of
from auditloop.core.forms import GovukDateField
from auditloop.sampling.models import Cycle
from auditloop.sampling.selectors.cycles import cycles_visible_to


class RevisitScheduleForm(forms.Form):
    """Why, by when and by whom. The auditor is offered from those independent of the case in
    the lead's services, the earlier audit's auditor chosen already when they can do it."""

    reason = forms.CharField(
        label="Why is this audit to be revisited?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The auditor reads this with the revisit. Do not name the child or family.",
        error_messages={"required": "Enter why the audit is to be revisited"},
    )
    due_date = GovukDateField(label="Due date", required=False)
    auditor = forms.ChoiceField(label="Auditor", error_messages={"required": "Choose an auditor"})

    def __init__(self, *args: Any, audit: Audit, staff: StaffMember, **kwargs: Any) -> None:
        self.unavailable = earlier_auditor_unavailable(audit)
        candidates = auditors_independent_of(auditors_in_services_of(staff), audit.case)
        if not self.unavailable and audit.auditor not in candidates:
            candidates.insert(0, audit.auditor)
        self.candidates = {str(s.public_id): s for s in candidates}
        if not self.unavailable:
            kwargs.setdefault("initial", {"auditor": str(audit.auditor.public_id)})
        super().__init__(*args, **kwargs)
        due = revisit_due_default(audit)
        weeks = revisit_weeks(audit)
        self.fields["due_date"].help_text = (
            f"Leave it empty for {weeks} weeks from today, "
            f"{formats.date_format(due, 'j F Y')}. For example, "
            f"{due.day} {due.month} {due.year}"
        )
        auditor_field = self.fields["auditor"]
        auditor_field.choices = [  # type: ignore[attr-defined]
            ("", "Choose an auditor"),
            *((key, staff_label(s)) for key, s in self.candidates.items()),
        ]
        auditor_field.help_text = (
            f"{self.unavailable} Choose another auditor who neither holds nor manages the case."
            if self.unavailable
            else f"{audit.auditor.name} did the earlier audit and is chosen, unless you choose "
            "someone else. Only staff who neither hold nor manage the case are offered."
        ) + (
            " Another auditor sees the earlier audit's answers beside the questions only if they "
            "may read that audit."
        )

    def clean_auditor(self) -> StaffMember:
        chosen = self.candidates.get(self.cleaned_data["auditor"])
        if chosen is None:
            raise forms.ValidationError("Choose an auditor")
        return chosen


class RevisitFilterForm(forms.Form):
    """Which revisits a page is about: a service, a cycle, and which list."""

    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        empty_label="All your services",
        to_field_name="public_id",
        error_messages={"invalid_choice": "Choose one of the services you oversee"},
    )
    cycle = forms.ModelChoiceField(
        label="Cycle",
        queryset=Cycle.objects.none(),
        required=False,
        empty_label="Every cycle",
        to_field_name="public_id",
        help_text="The cycle of the audit revisited.",
        error_messages={"invalid_choice": "Choose a cycle of the services you oversee"},
    )
    show = forms.ChoiceField(
        label="Show",
        choices=SHOW_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose which revisits to show"},
    )

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.fields["service"].queryset = revisit_services(staff)  # type: ignore[attr-defined]
        self.fields["cycle"].queryset = cycles_visible_to(staff).order_by(  # type: ignore[attr-defined]
            "-starts_on", "name"
        )

    def _value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_bound and self.is_valid() else None

    def scope(self) -> RevisitScope:
        return revisit_scope(self.staff, service=self._value("service"), cycle=self._value("cycle"))

    def shown(self) -> str:
        """Which list: "" (every revisit), "overdue", "due", "done" or "unscheduled"."""
        return str(self._value("show") or "")
