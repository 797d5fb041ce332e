"""`{% revisit_beside question "cells" %}`: on a revisit's pages, the earlier audit's answer to
`question` (and, once the revisit is submitted, what changed), laid out for where it sits:
"cells" (two table cells), "rows" (two summary-list rows) or "inset" (above a question being
answered). It reads the page's `revisit` (`revisit_comparison`), and shows nothing without one.
"""

from __future__ import annotations

from typing import Any

from django import template

from auditloop.audits.models import Question
from auditloop.audits.selectors.revisits import RevisitComparison

register = template.Library()

LAYOUTS = frozenset({"cells", "rows", "inset"})


@register.inclusion_tag("audits/revisits/_beside.html", takes_context=True)
def revisit_beside(context: template.Context, question: Question, layout: str) -> dict[str, Any]:
    if layout not in LAYOUTS:
        raise template.TemplateSyntaxError(f"revisit_beside: no layout {layout!r}")
    revisit = context.get("revisit")
    if not isinstance(revisit, RevisitComparison) or not revisit.answers:
        return {"shown": False}
    return {
        "shown": True,
        "layout": layout,
        "question": question,
        "earlier": revisit.earlier_for(question),
        "change": revisit.change_for(question),
        "with_changes": bool(revisit.changes),
    }
