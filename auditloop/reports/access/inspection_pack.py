"""Who may make an inspection pack, and of which audits.

Audit leads and senior leaders (a head of service among them) make one for the services they
look across (`dashboard_service_ids`: the services they oversee and any they head). It names
each audit's case, so it holds only audits its maker may read anyway: the one rule,
`audit_visibility_filter`, narrowed to those services (`selectors.inspection_pack`). Nobody
else gets the page: a team manager, a practitioner or an auditor reads their own audits in the
product, a board member reads no individual's audit, an administrator no audit content.
"""

from __future__ import annotations

from auditloop.accounts.models import Role, StaffMember
from auditloop.reports.access.scopes import dashboard_service_ids

PACK_ROLES = (Role.MODERATOR, Role.SENIOR_LEADER)


def pack_service_ids(staff: StaffMember) -> tuple[int, ...]:
    """The services a pack made by `staff` covers (none for a role without the page)."""
    if staff.role not in PACK_ROLES:
        return ()
    return dashboard_service_ids(staff)
