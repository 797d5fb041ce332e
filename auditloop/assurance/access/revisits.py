"""Who may schedule a revisit: an audit lead over the audit's service. Reading revisits and
their figures is for audit leads and senior leaders (the page's role check), each over their
own services; the rows a page names follow `audit_visibility_filter`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.access.audits import get_audit_for_user
from auditloop.audits.models import Audit

LEADS_ONLY = "Only an audit lead for this audit's service can schedule a revisit of it."


def can_schedule_revisit(staff: StaffMember, audit: Audit) -> bool:
    """An audit lead over the audit's service (whether this audit can be revisited now is the
    service's rule: submitted or completed, its case open, no revisit of it unfinished)."""
    return (
        staff.is_audit_lead
        and audit.team is not None
        and audit.team.service_id in services_overseen(staff)
    )


def get_audit_to_revisit_for_user(user: Any, public_id: UUID | str) -> Audit:
    """The audit, if `user` may see it (404 otherwise, and the read logged); 403 unless they
    may schedule a revisit of it."""
    audit = get_audit_for_user(user, public_id)
    if not can_schedule_revisit(staff_for(user), audit):
        raise PermissionDenied(LEADS_ONLY)
    return audit
