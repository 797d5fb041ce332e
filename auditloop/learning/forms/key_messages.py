"""Key messages' forms: compiling (a cycle and a scope), editing the draft, the reviewer's
redactions, sending back, withdrawing."""

from __future__ import annotations

from typing import Any

from django import forms

from auditloop.accounts.models import Service, StaffMember, Team
from auditloop.learning.models import KeyMessage
from auditloop.learning.selectors.key_message_texts import REDACTION_LABELS
from auditloop.learning.selectors.key_messages import (
    Scope,
    cycles_for_compiling,
    services_for_compiling,
    teams_for_compiling,
)
from auditloop.learning.services.key_messages import ExampleEdit
from auditloop.sampling.models import Cycle

WHOLE_CYCLE = "cycle"
ONE_SERVICE = "service"
ONE_TEAM = "team"


class CompileForm(forms.Form):
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.none(),
        label="Cycle",
        help_text="The key messages come from this cycle\u2019s submitted and completed audits.",
        empty_label="Choose a cycle",
        error_messages={"required": "Choose a cycle", "invalid_choice": "Choose a cycle"},
    )
    scope = forms.ChoiceField(
        label="Who the key messages are for",
        choices=[
            (WHOLE_CYCLE, "Every service the cycle covers"),
            (ONE_SERVICE, "One service"),
            (ONE_TEAM, "One team"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the key messages are for"},
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label="Service",
        help_text="Only for key messages to one service: a service you oversee.",
        empty_label="Choose a service",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        label="Team",
        help_text="Only for key messages to one team: a team in a service you oversee.",
        empty_label="Choose a team",
    )

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycle: Any = self.fields["cycle"]
        cycle.queryset = cycles_for_compiling(staff)
        service: Any = self.fields["service"]
        service.queryset = services_for_compiling(staff)
        team: Any = self.fields["team"]
        team.queryset = teams_for_compiling(staff)
        team.label_from_instance = lambda t: f"{t.name} ({t.service.name})"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope == ONE_SERVICE and not data.get("service"):
            self.add_error("service", "Choose the service")
        if scope == ONE_TEAM and not data.get("team"):
            self.add_error("team", "Choose the team")
        cycle = data.get("cycle")
        if cycle is not None:
            covered = set(cycle.services.values_list("id", flat=True))
            chosen: Service | None = data.get("service") if scope == ONE_SERVICE else None
            team: Team | None = data.get("team") if scope == ONE_TEAM else None
            if chosen is not None and chosen.pk not in covered:
                self.add_error("service", "The cycle does not cover that service")
            if team is not None and team.service_id not in covered:
                self.add_error("team", "The cycle does not cover that team\u2019s service")
        return data

    def scope_chosen(self) -> Scope:
        data = self.cleaned_data
        kind = data["scope"]
        return Scope(
            cycle=data["cycle"],
            service=data["service"] if kind == ONE_SERVICE else None,
            team=data["team"] if kind == ONE_TEAM else None,
        )


PART_FIELDS = {
    "what_we_found": ("What we found", "Written from the figures; change it as you see fit."),
    "why_it_matters": ("Why it matters", ""),
    "what_good_looks_like": ("What good looks like", ""),
    "what_to_do_next": ("What to do next", ""),
}


class EditForm(forms.Form):
    title = forms.CharField(
        max_length=200, label="Title", error_messages={"required": "Enter a title"}
    )

    def __init__(self, *args: Any, message: KeyMessage, **kwargs: Any) -> None:
        initial = {"title": message.title}
        for key in PART_FIELDS:
            initial[key] = getattr(message, key)
        for n, example in enumerate(message.examples, start=1):
            initial[f"example_{n}"] = example.get("text", "")
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for key, (label, hint) in PART_FIELDS.items():
            self.fields[key] = forms.CharField(
                label=label,
                help_text=hint,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={"required": f"Enter {label.lower()}"},
            )
        self.example_count = len(message.examples)
        for n, example in enumerate(message.examples, start=1):
            kind = "Good practice" if example.get("kind") == "good_practice" else "Development"
            domain = example.get("domain") or "the audit as a whole"
            self.fields[f"example_{n}"] = forms.CharField(
                required=False,
                label=f"Example {n}: {kind.lower()}, {domain}",
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"remove_{n}"] = forms.BooleanField(
                required=False, label=f"Remove example {n}"
            )

    def example_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"example_{n}"], self[f"remove_{n}"]) for n in range(1, self.example_count + 1)
        ]

    def parts(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in PART_FIELDS}

    def examples(self) -> list[ExampleEdit]:
        return [
            ExampleEdit(
                text=self.cleaned_data.get(f"example_{n}", ""),
                removed=bool(self.cleaned_data.get(f"remove_{n}")),
            )
            for n in range(1, self.example_count + 1)
        ]


class RedactMoreForm(forms.Form):
    text = forms.CharField(
        max_length=200,
        label="Words to redact",
        help_text="As they appear in the text; every place they appear is redacted.",
        error_messages={"required": "Enter the words to redact"},
    )
    label = forms.ChoiceField(
        label="What they are",
        choices=list(REDACTION_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the words are"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason"},
    )

    def __init__(self, *args: Any, label: str = "Reason", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
