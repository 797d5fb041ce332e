"""What the blind regrade adds to the home page, through one line of its template
(`{% include "assurance/regrade/_home.html" %}`): the disagreements the signed-in person is to
decide, and the agreed grades their moderator recorded for them to confirm. Each row names the
audit's child (both may read it on the moderation's page), so the reads are logged. A fixed
number of queries, whatever the number of rows."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Window

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import NO_CASEWORK_ROLES, StaffMember
from auditloop.assurance.selectors.regrade import (
    agreements_to_confirm_by,
    disagreements_to_decide_by,
)
from auditloop.core.accesslog import Purpose, access_shown

register = template.Library()

HOME_LIMIT = 10


@register.inclusion_tag("assurance/regrade/_home_panel.html", takes_context=True)
def regrade_home(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"show": False}
    staff = getattr(request, "staff", None)
    if not isinstance(staff, StaffMember):
        staff = staff_for(request.user)
    if staff is None or staff.role in NO_CASEWORK_ROLES:
        return {"show": False}
    deciding = disagreements_to_decide_by(staff)
    to_decide = deciding[:HOME_LIMIT]
    to_confirm = list(
        agreements_to_confirm_by(staff).annotate(total=Window(Count("pk")))[:HOME_LIMIT]
    )
    access_shown(
        user=request.user,
        targets=[m.audit for m in [*to_decide, *to_confirm]],
        purpose=Purpose.MODERATION_LISTED,
    )
    return {
        "show": bool(to_decide or to_confirm),
        "to_decide": to_decide,
        "to_decide_total": len(deciding),
        "to_confirm": to_confirm,
        "to_confirm_total": to_confirm[0].total if to_confirm else 0,
    }
