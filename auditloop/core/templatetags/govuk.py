"""GOV.UK Frontend markup for Django forms.

`{% govuk_field form.x %}` renders one field; `{% govuk_error_summary form %}` the summary.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from auditloop.core.forms import GovukDateWidget

register = template.Library()


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, GovukDateWidget):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is asked about first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


_SELECTED = mark_safe(" selected")


@register.simple_tag
def govuk_field(
    field: forms.BoundField,
    label_size: str = "",
    classes: str = "",
    legend_as_heading: bool = False,
    inline: bool = False,
) -> SafeString:
    """Render one bound field with its label or legend, hint and error message."""
    kind = _kind(field.field.widget)
    widget_type = getattr(field.field.widget, "input_type", "text")
    context: dict[str, Any] = {
        "field": field,
        "kind": kind,
        "input_type": widget_type,
        "label_size": label_size,
        "classes": classes,
        "legend_as_heading": legend_as_heading,
        "inline": inline,
        "value": field.value(),
        # Through iter(): list() asks a model choice field's choices for their length first,
        # and that is a COUNT query of its own on every page the field is drawn on.
        "choices": list(iter(field.field.widget.choices))
        if hasattr(field.field.widget, "choices")
        else [],
        "selected": _selected(field),
    }
    if kind == "select":
        # The options in one pass here: a select of a council's teams or staff drawn through
        # the template's loop was most of a filtered list page's drawing.
        context["options"] = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (value, _SELECTED if str(value) in context["selected"] else "", label)
                for value, label in context["choices"]
            ),
        )
    if kind == "date":
        # The boxes are drawn here, not by the widget, so each can carry the error style.
        widget = field.field.widget
        context["date_parts"] = widget.get_context(field.html_name, field.value(), None)["widget"][
            "parts"
        ]
    return SafeString(render_to_string(f"govuk/fields/{kind}.html", context))


def _selected(field: forms.BoundField) -> set[str]:
    value = field.value()
    if value is None:
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)}


@register.simple_tag
def govuk_error_summary(*forms_: forms.BaseForm) -> SafeString:
    """The error summary at the top of a page: one link per error, to the field that has it."""
    errors: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for error in form.non_field_errors():
            errors.append(("", str(error)))
        for name, field_errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            anchor = bound.auto_id
            if _kind(bound.field.widget) == "date":
                anchor = f"{anchor}-day"
            elif _kind(bound.field.widget) in {"radios", "checkboxes"}:
                anchor = f"{anchor}_0"
            errors.extend((anchor, str(e)) for e in field_errors)
    if not errors:
        return SafeString("")
    return SafeString(render_to_string("govuk/error_summary.html", {"errors": errors}))


@register.filter
def ischecked(value: str, selected: set[str]) -> bool:
    return str(value) in selected
