"""Who may open which case file: the case lists' rule (`auditloop.cases`), the case's holder,
and those its audits and unsafe-child flags let in (`auditloop.audits`). It needs both apps, so
it lives here, above both."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.escalations import escalation_visibility_filter
from auditloop.audits.models import Audit, Escalation
from auditloop.cases.selectors import case_list_filter


def case_visibility_filter(staff: StaffMember) -> Q:
    """Who may open which case file: their case list, the cases they hold, the cases they
    are auditing or have audited, and the cases with an unsafe-child flag they may act on."""
    if staff.role == Role.ADMINISTRATOR:
        # Not folded into the OR below: an empty Q() vanishes when combined.
        return Q()
    if staff.role == Role.PARTNER:
        # A partner agency auditor opens no case file, not even of the case they audit: they
        # see only what the audit lead shared with their audit (`PartnerShare`).
        return Q(pk__in=[])
    audited = Exists(Audit.objects.filter(case=OuterRef("pk"), auditor=staff))
    flagged = Exists(
        Escalation.objects.filter(escalation_visibility_filter(staff), audit__case=OuterRef("pk"))
    )
    return case_list_filter(staff) | Q(allocated_worker=staff) | Q(audited) | Q(flagged)
