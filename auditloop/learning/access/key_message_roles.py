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
from auditloop.learning.selectors.key_messages import Scope, scope_of

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


def oversees_scope(staff: StaffMember, scope: Scope) -> bool:
    return set(scope.service_ids()) <= set(services_overseen(staff))


def compile_refusal(staff: StaffMember, scope: Scope) -> str:
    """Why `staff` may not compile for `scope`, or ""."""
    if staff.role != Role.MODERATOR:
        return NOT_A_LEAD
    if not scope.service_ids() or not oversees_scope(staff, scope):
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
    if not oversees_scope(staff, scope_of(message)):
        return NOT_A_REVIEWER
    return ""


def withdraw_refusal(staff: StaffMember, message: KeyMessage) -> str:
    if staff.role != Role.MODERATOR or not oversees_scope(staff, scope_of(message)):
        return "Only an audit lead over the key message\u2019s services can withdraw it."
    return ""
