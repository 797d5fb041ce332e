"""Who may do what to a key message (reading it is `access.key_messages`' rule).

An audit lead compiles for a scope they oversee (every service of the cycle, for a message to
all of them) and edits their own draft. A second person reviews it: an audit lead over its
services or a senior leader over them, never its author. A published message is withdrawn by
an audit lead over its services.
"""

from __future__ import annotations

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.access.audits import grades_hidden_filter
from auditloop.audits.models import Audit
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
MODERATING_BLIND = (
    "Its examples were drawn from an audit you are moderating blind, so you cannot review it "
    "until you have regraded that audit: another audit lead or senior leader over its services "
    "can review it."
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
    # A reviewer must read every example to publish it: not one drawn from an audit whose
    # auditor's notes they may not read yet.
    if examples_drawn_blind(staff, message):
        return MODERATING_BLIND
    return ""


def examples_drawn_blind(staff: StaffMember, message: KeyMessage) -> bool:
    """Whether any of the message's examples was drawn from an audit `staff` is moderating
    blind (`grades_hidden_filter`): its auditor's learning points are not theirs to read yet,
    redacted or not, so the pages and the briefing leave the examples out for them (the
    examples are not tied one by one to their notes once edited, so all of them). One query."""
    blind = Audit.objects.filter(grades_hidden_filter(staff)).values("pk")
    return message.source_points.filter(audit__in=blind).exists()


def withdraw_refusal(staff: StaffMember, message: KeyMessage) -> str:
    if staff.role != Role.MODERATOR or not oversees(staff, message_service_ids(message)):
        return "Only an audit lead over the key message\u2019s services can withdraw it."
    return ""
