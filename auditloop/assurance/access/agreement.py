"""Who reads the agreement figures, and which.

Audit leads and senior leaders read them for the services they oversee, by question, by auditor
and by cycle. Board and committee members read anonymised aggregates: by question and by cycle,
never by auditor (those rows name staff), and not a figure drawn from fewer than three
auditors' audits, which would be about a person all the same. No figure names a child.
"""

from __future__ import annotations

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen

AGREEMENT_READERS = (Role.MODERATOR, Role.SENIOR_LEADER, Role.BOARD_MEMBER)
BY_AUDITOR_READERS = frozenset({Role.MODERATOR, Role.SENIOR_LEADER})
# The fewest auditors a figure shown to a board member may come from.
BOARD_MIN_AUDITORS = 3


def agreement_service_ids(staff: StaffMember) -> list[int]:
    """The services whose moderations `staff` reads the figures of: those they oversee."""
    return services_overseen(staff) if staff.role in AGREEMENT_READERS else []


def can_see_agreement_by_auditor(staff: StaffMember) -> bool:
    return staff.role in BY_AUDITOR_READERS


def agreement_min_auditors(staff: StaffMember) -> int:
    """Figures from fewer auditors than this are withheld from `staff` (0: none withheld)."""
    return BOARD_MIN_AUDITORS if staff.role == Role.BOARD_MEMBER else 0
