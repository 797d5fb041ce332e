"""`{% audit_learning_points audit %}`: the audit's learning points on its own page. The audits
app's page includes "learning/learning_points/_audit.html", so it needs nothing from this
app's code; the audit was read (and the read logged) by the page's access helper."""

from __future__ import annotations

from typing import Any

from django import template

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Audit
from auditloop.learning.access.learning_points import (
    can_add_learning_point,
    learning_points_shown,
)

register = template.Library()


@register.inclusion_tag("learning/learning_points/_audit_panel.html", takes_context=True)
def audit_learning_points(context: template.Context, audit: Audit) -> dict[str, Any]:
    staff = getattr(context.get("request"), "staff", None)
    if not isinstance(staff, StaffMember):
        return {"audit": audit, "points": [], "can_change": False, "staff": None}
    return {
        "audit": audit,
        "points": list(learning_points_shown(staff, audit)),
        "can_change": can_add_learning_point(staff, audit),
        "staff": staff,
        "blind": getattr(audit, "grades_hidden", False),
    }
