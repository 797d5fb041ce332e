"""`{% revisit_schedule_link audit %}`: on an audit's page, the link to schedule a revisit of it,
for an audit lead over its service once it is submitted or completed. The audits app's page
includes "assurance/revisits/_schedule_link.html", so it needs nothing from this app's code."""

from __future__ import annotations

from typing import Any

from django import template

from auditloop.accounts.models import StaffMember
from auditloop.assurance.access.revisits import can_schedule_revisit
from auditloop.audits.models import Audit

register = template.Library()


@register.inclusion_tag("assurance/revisits/_schedule_link_shown.html", takes_context=True)
def revisit_schedule_link(context: template.Context, audit: Audit) -> dict[str, Any]:
    staff = getattr(context.get("request"), "staff", None)
    shown = (
        isinstance(staff, StaffMember) and audit.is_shared and can_schedule_revisit(staff, audit)
    )
    return {"audit": audit, "shown": shown}
