"""Forms for recording a moderation meeting: the meeting itself, and one small form per audit
discussed, named by its reference (shown on the audit's page) and resolved among the audits the
recorder may read, so that the page can show them the child's ID before they save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.utils import timezone

from auditloop.accounts.models import Service, StaffMember
from auditloop.assurance.access.meetings import managers_meeting_services, meeting_kinds_for
from auditloop.assurance.models import MeetingKind, MeetingOutcome
from auditloop.assurance.services.meetings import (
    ItemInput,
    grade_changed_at_moderation,
    grade_not_changed_message,
)
from auditloop.audits.forms.audits import staff_label
from auditloop.audits.models import Audit
from auditloop.core.forms import GovukDateField

_TEXTAREA = forms.Textarea(attrs={"rows": 3})

# Rows for audits discussed on a new form, and the most the form will grow to.
FIRST_ROWS = 4
MOST_ROWS = 40


class _AskedFor:
    """Marked required, so the page does not call it optional, yet left blank it passes: the
    form's own clean() says when it is needed (a row in use, a managers' meeting)."""

    required: bool

    def validate(self, value: Any) -> None:
        if value in (None, ""):
            return
        super().validate(value)  # type: ignore[misc]


class _AskedForCharField(_AskedFor, forms.CharField):
    pass


class _AskedForChoiceField(_AskedFor, forms.ChoiceField):
    pass


class _AskedForServiceField(_AskedFor, forms.ModelChoiceField[Service]):
    pass


class _AttendeesField(forms.ModelMultipleChoiceField[StaffMember]):
    def label_from_instance(self, obj: StaffMember) -> str:
        return staff_label(obj)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of meeting",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of meeting"},
    )
    service = _AskedForServiceField(
        label="Service",
        queryset=Service.objects.none(),
        to_field_name="public_id",
        empty_label="Choose a service",
        help_text=(
            "For managers\u2019 moderation only: the service whose managers met. An audit "
            "group meeting looks across services."
        ),
    )
    held_on = GovukDateField(
        label="Date held",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the meeting was held"},
    )
    attendees = _AttendeesField(
        label="Who attended",
        queryset=StaffMember.objects.none(),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose who attended"},
    )
    learning = forms.CharField(
        label="Learning noted",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "What the meeting learnt about practice or about auditing, for the audit group\u2019s "
            "record. Name no child or family."
        ),
    )
    rows = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=MOST_ROWS, required=False
    )

    def __init__(self, *args: Any, staff: StaffMember, attendees: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"rows": FIRST_ROWS})
        super().__init__(*args, **kwargs)
        kinds = meeting_kinds_for(staff)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [(k, MeetingKind(k).label) for k in kinds]
        if len(kinds) == 1:
            self.initial.setdefault("kind", kinds[0])
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            pk__in=managers_meeting_services(staff)
        ).order_by("name")
        self.fields["attendees"].queryset = attendees  # type: ignore[attr-defined]

    def clean_held_on(self) -> Any:
        held = self.cleaned_data["held_on"]
        if held is not None and held > timezone.localdate():
            raise forms.ValidationError(
                "The date the meeting was held must be today or in the past"
            )
        return held

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == MeetingKind.MANAGERS and data.get("service") is None:
            self.add_error("service", "Choose the service whose managers met")
        return data

    def row_count(self) -> int:
        """How many rows of audits discussed the page shows (what was posted, if valid)."""
        value = self.data.get("rows") if self.is_bound else None
        try:
            return min(MOST_ROWS, max(1, int(value))) if value else FIRST_ROWS
        except ValueError:
            return FIRST_ROWS


# Resolves a typed reference to the one audit the recorder may read, or says why it cannot.
type Resolver = Callable[[str], Audit | str]


class MeetingItemForm(forms.Form):
    """One audit discussed. A row left wholly blank is ignored."""

    reference = _AskedForCharField(
        label="Audit reference",
        max_length=40,
        help_text="Shown on the audit\u2019s page, for example 3F2A9C1B.",
    )
    outcome = _AskedForChoiceField(
        label="Outcome",
        choices=[("", "Choose an outcome"), *MeetingOutcome.choices],
    )
    notes = forms.CharField(label="Notes", required=False, widget=_TEXTAREA)

    def __init__(self, *args: Any, number: int, resolve: Resolver, **kwargs: Any) -> None:
        kwargs["prefix"] = f"item{number}"
        super().__init__(*args, **kwargs)
        self.number = number
        self.resolve = resolve
        self.audit: Audit | None = None

    @property
    def is_blank(self) -> bool:
        return not any(str(self.data.get(self.add_prefix(n), "")).strip() for n in self.fields)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank:
            return data
        reference = str(data.get("reference") or "").strip()
        if not reference:
            self.add_error("reference", f"Enter the reference of audit {self.number}")
        else:
            found = self.resolve(reference)
            if isinstance(found, str):
                self.add_error("reference", found)
            else:
                self.audit = found
                if data.get("outcome") == MeetingOutcome.GRADE_CHANGED and (
                    not grade_changed_at_moderation(
                        found.overall_grade_id, found.agreed_overall_grade_id
                    )
                ):
                    self.add_error("outcome", grade_not_changed_message(found.reference))
        if not data.get("outcome"):
            self.add_error("outcome", f"Choose the outcome for audit {self.number}")
        return data

    def item_input(self) -> ItemInput | None:
        if self.is_blank or self.audit is None:
            return None
        return ItemInput(
            audit=self.audit,
            outcome=self.cleaned_data["outcome"],
            notes=self.cleaned_data.get("notes") or "",
        )


def items_duplicates_mark(items: list[MeetingItemForm]) -> None:
    """Put an error on each row naming an audit already named above it."""
    seen: set[int] = set()
    for item in items:
        if item.audit is None:
            continue
        if item.audit.pk in seen:
            item.add_error("reference", f"Audit {item.number} is already listed above")
        seen.add(item.audit.pk)
