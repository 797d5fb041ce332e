"""Who may do what with the child's and the family's view of an audit. Reading it is reading
the audit (`get_audit_for_user`, logged); these answer the rest."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.audits import can_lead_audit
from auditloop.audits.models import Audit, FamilyContact, FamilyLink
from auditloop.audits.rules import WRITABLE_STATUSES, audit_asks_family


def can_record_family_contact(staff: StaffMember, audit: Audit) -> bool:
    """The audit's auditor, while it is theirs to change, where it asks the family's view."""
    return (
        audit.auditor_id == staff.pk
        and audit.status in WRITABLE_STATUSES
        and audit_asks_family(audit)
    )


def can_send_family_form(staff: StaffMember, audit: Audit) -> bool:
    """The audit's lead sends a family the online form: an audit lead over its service who
    did not do the audit (`can_lead_audit`), where the audit asks the family's view."""
    return can_lead_audit(staff, audit) and audit_asks_family(audit)


def get_family_link_for_lead(staff: StaffMember, audit: Audit, public_id: object) -> FamilyLink:
    """One of the audit's online form links, for its lead; 404 for anyone else (a link's
    existence is the lead's business) and for another audit's link."""
    if not can_send_family_form(staff, audit):
        raise Http404("No link found.")
    return get_object_or_404(FamilyLink, audit=audit, public_id=public_id)


def get_family_contact_for_auditor(
    staff: StaffMember, audit: Audit, public_id: object
) -> FamilyContact:
    """A contact the auditor recorded on their audit in progress; 404 otherwise."""
    if not can_record_family_contact(staff, audit):
        raise Http404("No contact found.")
    return get_object_or_404(
        FamilyContact, audit=audit, public_id=public_id, recorded_by__isnull=False
    )
