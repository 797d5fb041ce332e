"""What moderation adds to pages of other apps, each through one line of their templates: the
audit's page (`{% include "assurance/moderation_samples/_audit_moderation.html" %}`) and the
home page (`{% include "assurance/moderation_samples/_home.html" %}`). The tags work out what
to show from the page's own context (its `audit`, and the signed-in member of staff), so that
those apps' views need not know about moderation. Each asks a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Window

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import AUDITING_ROLES, Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.access.moderation_samples import (
    is_asker_for,
    moderation_add_refusal,
    moderation_request_refusal,
    moderator_assign_refusal,
)
from auditloop.assurance.access.regrade import sees_moderation_workings
from auditloop.assurance.models import (
    Moderation,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationStatus,
)
from auditloop.assurance.selectors.moderation_samples import (
    moderations_unassigned_count,
    moderations_waiting_for,
)
from auditloop.audits.models import Audit
from auditloop.core.accesslog import Purpose, access_shown

register = template.Library()

HOME_LIMIT = 10


def _staff(context: template.Context) -> StaffMember | None:
    request = context.get("request")
    if request is None:
        return None
    staff = getattr(request, "staff", None)
    return staff if isinstance(staff, StaffMember) else staff_for(request.user)


@register.inclusion_tag("assurance/moderation_samples/_audit_panel.html", takes_context=True)
def audit_moderation(context: template.Context) -> dict[str, Any]:
    """The audit page's moderation section: its moderation (status, moderator, why), the
    requests waiting for it, and the links to ask for moderation, add the audit to it or give
    it a moderator, for whoever may."""
    staff = _staff(context)
    audit = context.get("audit")
    if staff is None or not isinstance(audit, Audit):
        return {"show": False}
    moderation = (
        Moderation.objects.filter(audit=audit)
        .select_related("moderator", "request__requested_by")
        .defer("request__reason")
        .first()
    )
    lead = staff.role == Role.MODERATOR and (
        audit.team is not None and audit.team.service_id in services_overseen(staff)
    )
    # The requests waiting, and what their askers wrote, are for the audit leads and each
    # asker: nobody else's are read from the database.
    waiting = ModerationRequest.objects.filter(audit=audit, status=ModerationRequestStatus.WAITING)
    requests = list(
        (waiting if lead else waiting.filter(requested_by=staff))
        .select_related("requested_by")
        .order_by("created_at", "id")
    )
    if moderation is not None:
        moderation.audit = audit
    can_ask = is_asker_for(staff, audit) and moderation_request_refusal(staff, audit) is None
    can_add = moderation is None and lead and moderation_add_refusal(staff, audit) is None
    can_assign = (
        moderation is not None and lead and moderator_assign_refusal(staff, moderation) is None
    )
    is_moderator = moderation is not None and moderation.moderator_id == staff.pk
    blind = (
        moderation is not None and is_moderator and moderation.status == ModerationStatus.REGRADING
    )
    asked = (
        moderation is not None
        and moderation.request is not None
        and (moderation.request.requested_by_id == staff.pk)
    )
    # What someone wrote when asking is for the audit leads and themselves: read only for them.
    show_request_reason = not blind and (lead or asked)
    # Why it was chosen is for those who read the moderation's workings (not the case's worker,
    # to whom it reads as a judgement) and for whoever asked for it.
    show_why = moderation is not None and (asked or sees_moderation_workings(staff, moderation))
    return {
        "show": bool(moderation or requests or can_ask or can_add),
        "audit": audit,
        "staff": staff,
        "moderation": moderation,
        # Its moderator, regrading blind, is not told why it was chosen (the auditor's grade).
        "blind": blind,
        "show_why": show_why,
        "request_reason": (
            moderation.request.reason
            if show_request_reason and moderation is not None and moderation.request is not None
            else ""
        ),
        "requests": requests,
        "can_ask": can_ask,
        "can_add": can_add,
        "can_assign": can_assign,
        "is_moderator": is_moderator,
    }


@register.inclusion_tag("assurance/moderation_samples/_home_panel.html", takes_context=True)
def moderation_home(context: template.Context) -> dict[str, Any]:
    """The home page's moderation: the audits waiting for the signed-in person as their
    moderator (the first few, and how many), and for an audit lead, how many moderations in
    their services wait for a moderator. Reads of the audits named are logged."""
    staff = _staff(context)
    if staff is None or staff.role not in AUDITING_ROLES:
        return {"show": False}
    rows = list(moderations_waiting_for(staff).annotate(total=Window(Count("pk")))[:HOME_LIMIT])
    request = context["request"]
    access_shown(
        user=request.user,
        # Each row names its child: its moderator reads it on the moderation's page.
        targets=[m.audit for m in rows],
        purpose=Purpose.MODERATION_LISTED,
    )
    unassigned = moderations_unassigned_count(staff) if staff.role == Role.MODERATOR else 0
    return {
        "show": bool(rows or unassigned),
        "rows": rows,
        "total": rows[0].total if rows else 0,
        "unassigned": unassigned,
    }
