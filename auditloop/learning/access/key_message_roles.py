"""Who may do what to a key message (reading it is `access.key_messages`' rule).

An audit lead compiles for a scope they oversee (every service of the cycle, for a message to
all of them) and edits their own draft. A second person reviews it: an audit lead over its
services or a senior leader over them, never its author. A published message is withdrawn by
an audit lead over its services.
"""

from __future__ import annotations

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.learning.models import KeyMessage, KeyMessageStatus

AUTHOR_ONLY = "Only the key message\u2019s author can change its draft."
NOT_YOUR_SCOPE = "You can compile key messages only for services you oversee."
NOT_A_LEAD = "Only an audit lead can compile key messages."
AUTHOR_CANNOT_REVIEW = (
    "You wrote this key message, so you cannot review it: a second person (another audit lead "
    "over its services, or a senior leader) must review and publish it."
)
NOT_A_REVIEWER = (
    "Only an audit lead or senior leader over the key message\u2019s services can review it."
)


def message_service_ids(message: KeyMessage) -> list[int]:
    """The services a key message covers: its team's, its service, or its cycle's."""
    if message.team is not None:
        return [message.team.service_id]
    if message.service_id is not None:
        return [message.service_id]
    return sorted(message.cycle.services.values_list("id", flat=True))


def oversees(staff: StaffMember, service_ids: list[int]) -> bool:
    return set(service_ids) <= set(services_overseen(staff))


def compile_refusal(staff: StaffMember, service_ids: list[int]) -> str:
    """Why `staff` may not compile for a scope covering `service_ids`, or ""."""
    if staff.role != Role.MODERATOR:
        return NOT_A_LEAD
    if not service_ids or not oversees(staff, service_ids):
        return NOT_YOUR_SCOPE
    return ""


def edit_refusal(staff: StaffMember, message: KeyMessage) -> str:
    if message.author_id != staff.pk:
        return AUTHOR_ONLY
    if message.status != KeyMessageStatus.DRAFT:
        return "Only a draft can be changed: this key message is no longer a draft."
    return ""


def review_refusal(staff: StaffMember, message: KeyMessage) -> str:
    """Why `staff` may not review `message`, or "": the reviewer is a second person."""
    if message.author_id == staff.pk:
        return AUTHOR_CANNOT_REVIEW
    if staff.role not in (Role.MODERATOR, Role.SENIOR_LEADER):
        return NOT_A_REVIEWER
    if not oversees(staff, message_service_ids(message)):
        return NOT_A_REVIEWER
    return ""


def withdraw_refusal(staff: StaffMember, message: KeyMessage) -> str:
    if staff.role != Role.MODERATOR or not oversees(staff, message_service_ids(message)):
        return "Only an audit lead over the key message\u2019s services can withdraw it."
    return ""
