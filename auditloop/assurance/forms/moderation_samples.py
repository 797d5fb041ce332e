"""Forms for what is moderated and by whom: drawing a cycle's moderation sample, asking for (or
adding) an audit to moderation with a reason, giving a moderation its moderator, and the
filters of the audit leads' list of moderations."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import Moderation, ModerationStatus
from auditloop.assurance.services.moderation_samples import SEED_MAX
from auditloop.audits.forms.audits import staff_label
from auditloop.sampling.models import Cycle


class ModerationSampleDrawForm(forms.Form):
    seed = forms.IntegerField(
        min_value=0,
        max_value=SEED_MAX,
        label="Seed",
        help_text=(
            "The random share is drawn with this number. The same seed and the same audits "
            "always give the same sample, so anyone can check it."
        ),
        error_messages={
            "required": "Enter a seed, for example 4821",
            "invalid": "The seed must be a whole number, for example 4821",
            "min_value": "The seed must be 0 or more",
            "max_value": f"The seed must be {SEED_MAX} or less",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("seed", secrets.randbelow(1_000_000))
        super().__init__(*args, **kwargs)


class ModerationAskForm(forms.Form):
    reason = forms.CharField(
        label="Why should this audit be moderated?",
        help_text=(
            "Say what makes you want a second look, for example a grade you think does not fit "
            "what the file shows. Do not include the child's name."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why you want this audit moderated"},
    )


class ModerationAddForm(forms.Form):
    reason = forms.CharField(
        label="Why should this audit be moderated?",
        help_text=(
            "Recorded as the reason this audit was chosen for moderation. Do not include the "
            "child's name."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why this audit should be moderated"},
    )


class _ModeratorField(forms.ChoiceField):
    """Offers those who may moderate the audit, yet accepts anyone who audits in the lead's
    services: when someone not offered is sent, the service's refusal says why they cannot
    moderate it, against this field. Cleans to a StaffMember."""

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


class ModeratorForm(forms.Form):
    moderator = _ModeratorField(
        label="Moderator",
        help_text=(
            "Only audit leads, auditors, senior leaders and team managers who did not write "
            "this audit, and neither hold nor manage the child's case nor held or managed it "
            "when it was audited, are offered."
        ),
        error_messages={
            "required": "Choose a moderator",
            "invalid_choice": "Choose a moderator from the list",
        },
    )

    def __init__(
        self,
        *args: Any,
        candidates: list[StaffMember],
        offered: list[StaffMember],
        **kwargs: Any,
    ) -> None:
        """`candidates`: everyone who audits in the lead's services; `offered`: those of them
        who may moderate this audit."""
        super().__init__(*args, **kwargs)
        field = cast(_ModeratorField, self.fields["moderator"])
        field.candidates = {str(s.public_id): s for s in candidates}
        field.choices = [
            ("", "Choose a moderator"),
            *((str(s.public_id), staff_label(s)) for s in offered),
        ]


class ModerationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *ModerationStatus.choices],
    )
    cycle = forms.ChoiceField(label="Cycle", required=False)

    def __init__(self, *args: Any, cycles: QuerySet[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["cycle"])
        field.choices = [
            ("", "Any cycle"),
            *((str(c.public_id), c.name) for c in cycles.order_by("-starts_on", "name")),
        ]

    def filter(self, moderations: QuerySet[Moderation]) -> QuerySet[Moderation]:
        if not self.is_valid():
            return moderations
        data = self.cleaned_data
        if data.get("status"):
            moderations = moderations.filter(status=data["status"])
        if data.get("cycle"):
            moderations = moderations.filter(audit__cycle_link__cycle__public_id=data["cycle"])
        return moderations
