"""Forms for administration. They check shape; the services make the decisions."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.accounts.log_words import target_label, verb_label
from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.accounts.selectors import line_manager_candidates
from auditloop.core.forms import GovukDateField


class _TeamChoices(forms.models.ModelChoiceIterator):  # type: ignore[type-arg]
    """A team select's options read as the three values each shows (the team's key, its name
    and its service's name) in one query, rather than a team and its service made for every
    option: on the large council's 48 teams that was a tenth of an audit lead's cases list."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = self.field.to_field_name or "pk"
        for value, name, service in self.queryset.values_list(key, "name", "service__name"):
            yield (value, _team_label(name, service))


def _team_label(name: str, service: str) -> str:
    return f"{name} ({service})"


class TeamChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of team, each named with its service."""

    iterator = _TeamChoices

    def label_from_instance(self, obj: Any) -> str:
        return _team_label(obj.name, obj.service.name)


class ServiceForm(forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter the service's name."})
    head_of_service = forms.ModelChoiceField(
        queryset=StaffMember.objects.filter(is_active=True, role__in=[Role.SENIOR_LEADER]),
        to_field_name="public_id",
        required=False,
        empty_label="No head of service",
        help_text="A senior leader. They are told at once when a child in this service is "
        "found not to be safe.",
    )


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120, error_messages={"required": "Enter the team's name."})
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(),
        to_field_name="public_id",
        empty_label="Choose a service",
        error_messages={"required": "Choose the service the team belongs to."},
    )


class StaffForm(forms.Form):
    name = forms.CharField(max_length=150, error_messages={"required": "Enter their full name."})
    email = forms.EmailField(
        required=False,
        error_messages={"invalid": "Enter an email address like name@council.gov.uk"},
    )
    swe_number = forms.CharField(
        label="SWE number",
        max_length=20,
        required=False,
        help_text="Social Work England registration number, for example SW123456.",
    )
    role = forms.ChoiceField(
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose their role."},
    )
    team = TeamChoiceField(
        queryset=Team.objects.select_related("service"),
        to_field_name="public_id",
        required=False,
        empty_label="No team",
        help_text="Practitioners and team managers must belong to a team.",
    )
    services = forms.ModelMultipleChoiceField(
        label="Services they look across",
        queryset=Service.objects.all(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For moderators, senior leaders and board members only.",
    )
    manager = forms.ModelChoiceField(
        label="Line manager",
        queryset=StaffMember.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="No line manager",
    )
    start_date = GovukDateField(required=False, help_text="For example, 6 1 2025")
    end_date = GovukDateField(required=False, help_text="Leave blank if they have not left.")

    def __init__(self, *args: Any, staff: StaffMember | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = line_manager_candidates()
        if staff is not None:
            managers = managers.exclude(pk=staff.pk)
        self.fields["manager"].queryset = managers  # type: ignore[attr-defined]


class StaffFilterForm(forms.Form):
    search = forms.CharField(label="Name or email", required=False, max_length=100)
    team = TeamChoiceField(
        queryset=Team.objects.select_related("service"),
        to_field_name="public_id",
        required=False,
        empty_label="All teams",
    )
    role = forms.ChoiceField(choices=[("", "All roles"), *Role.choices], required=False)
    active = forms.ChoiceField(
        label="Status",
        choices=[("active", "Active"), ("inactive", "Left"), ("all", "All")],
        required=False,
    )


class LoginCreateForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. Usually their council username.",
        error_messages={"required": "Enter a username."},
    )
    organisation = forms.CharField(
        label="Their agency (partner agency auditors only)",
        max_length=150,
        required=False,
        help_text="The agency they audit for, for example Northshire Police.",
    )


class AccessRejectForm(forms.Form):
    reason = forms.CharField(
        label="Why is this change not approved?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why the change is not approved."},
    )


class ConfirmForm(forms.Form):
    """A form with nothing to fill in: the button is the confirmation."""


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(
        widget=forms.PasswordInput,
        strip=False,
        help_text="At least 8 characters, not a common password, not like your username.",
    )
    new_password_again = forms.CharField(
        label="New password again", widget=forms.PasswordInput, strip=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password_again")
            and data["new_password"] != data["new_password_again"]
        ):
            self.add_error("new_password_again", "The two new passwords are not the same.")
        return data


class WhoAndWhenFilterForm(forms.Form):
    """Filters for the refused-request and failed sign-in logs, and the base of the others."""

    who = forms.CharField(label="Who", required=False, max_length=100, help_text="Name or username")
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The 'to' date must be on or after the 'from' date.")
        return data


class _LogFilterForm(WhoAndWhenFilterForm):
    target_type = forms.ChoiceField(label="Record type", required=False)
    field_order = ["who", "target_type", "date_from", "date_to"]

    def __init__(self, *args: Any, target_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        named = sorted(((t, target_label(t)) for t in target_types), key=lambda c: c[1])
        self.fields["target_type"].choices = [("", "All"), *named]  # type: ignore[attr-defined]


class EventFilterForm(_LogFilterForm):
    verb = forms.ChoiceField(label="What happened", required=False)

    def __init__(self, *args: Any, verbs: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        named = sorted(((v, verb_label(v)) for v in verbs), key=lambda c: c[1])
        self.fields["verb"].choices = [("", "Everything"), *named]  # type: ignore[attr-defined]


class AccessFilterForm(_LogFilterForm):
    pass


# twofactor: the code that proves an authenticator app, the code given to sign in, and an
# administrator's reason for resetting someone's second factor.
class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": "Enter the code."},
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label="Why are you resetting it?",
        max_length=200,
        help_text="For example: phone lost, reported by phone to the service desk.",
        error_messages={"required": "Enter why the second factor is being reset."},
    )


class PasskeyForm(forms.Form):
    name = forms.CharField(
        label="Name this passkey",
        max_length=64,
        required=False,
        help_text="So you can tell your passkeys apart, for example 'Work laptop'.",
    )
    credential = forms.CharField(required=False, widget=forms.HiddenInput)


class PasskeySignInForm(forms.Form):
    credential = forms.CharField(required=False, widget=forms.HiddenInput)
