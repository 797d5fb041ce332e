"""Who answers the questions about an audit: only the person asked (its practitioner, or the
manager who took part in the deep dive), while they are asked. Anyone else gets 404: the page
says nothing about the audit to them."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import Http404

from auditloop.accounts.models import StaffMember
from auditloop.assurance.selectors.experience import experience_role
from auditloop.audits.models import Audit


def get_experience_audit_for_user(
    staff: StaffMember, public_id: UUID | str, *, now: datetime.datetime
) -> tuple[Audit, str]:
    """The audit `staff` is asked about, and the role they are asked in; 404 otherwise."""
    try:
        audit = Audit.objects.select_related("team").get(public_id=public_id)
    except (Audit.DoesNotExist, ValueError) as exc:
        raise Http404("No questions for you about this audit.") from exc
    role = experience_role(staff, audit, now=now)
    if role is None:
        raise Http404("No questions for you about this audit.")
    return audit, role
