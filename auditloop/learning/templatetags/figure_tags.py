"""A table of counts' cells (`learning/team_picture/_table.html`, which the team picture, the
dashboards and their whole-table pages show)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from auditloop.learning.selectors.team_picture import Figure

register = template.Library()

_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
_SUPPRESSED_CELL = SafeString(
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-suppressed="true">[c]'
    '<span class="govuk-visually-hidden"> (not shown so that no one can be identified)</span>'
    "</td>"
)


@register.simple_tag
def figure_cell(figure: Figure | None) -> SafeString:
    """One figure as a numeric cell: "[c]" where it is not shown, said in words to a screen
    reader. A tag, not an included template: a dashboard has hundreds of cells, and an include
    each was a large part of its rendering (profiled)."""
    if figure is None:
        return format_html(_CELL, "")
    if figure.suppressed:
        return _SUPPRESSED_CELL
    return format_html(_CELL, figure.text)
