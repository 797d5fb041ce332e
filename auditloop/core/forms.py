"""Form pieces every app shares: the GOV.UK date input (day, month, year)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict


class GovukDateWidget(forms.Widget):
    """Three boxes (day, month, year), as GOV.UK's date input pattern asks."""

    template_name = "govuk/widgets/date.html"

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> str | None:
        parts = [str(data.get(f"{name}-{p}", "")).strip() for p in ("day", "month", "year")]
        if not any(parts):
            return None
        day, month, year = parts
        # Handed to DateField as ISO text so its own validation gives the error message.
        return f"{year}-{month.zfill(2)}-{day.zfill(2)}"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        day = month = year = ""
        if isinstance(value, datetime.date):
            day, month, year = str(value.day), str(value.month), str(value.year)
        elif isinstance(value, str) and value.count("-") == 2:
            year, month, day = (p.lstrip("0") or p for p in value.split("-"))
        context["widget"]["parts"] = [
            ("day", "Day", day, 2),
            ("month", "Month", month, 2),
            ("year", "Year", year, 4),
        ]
        return context


class GovukDateField(forms.DateField):
    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            # GOV.UK names the question in the message: "Date of birth must be a real date".
            label = str(self.label or "The date")
            raise forms.ValidationError(
                f"{label} must be a real date, for example 27 3 2026", code="invalid"
            ) from exc
