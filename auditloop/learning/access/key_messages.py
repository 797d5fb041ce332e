"""Who may see a key message: the get-for-user helper and its rule.

A key message is anonymised learning, never personal to a named worker, and names no child;
but a draft is unreviewed text that may still name someone, so drafts and messages in review
are seen only by the audit leads and senior leaders over every service it covers (for a
message to every service of a cycle, each of the cycle's services), and by its author and its
reviewer. A published message is seen by everyone it was sent to
(the practitioners and managers of the teams concerned), the audit leads and senior leaders,
and the board members, who read the service's learning."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.learning.models import KeyMessage, KeyMessageRecipient, KeyMessageStatus
from auditloop.sampling.models import Cycle


def key_message_visibility_filter(staff: StaffMember) -> Q:
    """The key messages `staff` may read."""
    # A withdrawn message stays readable by those who had it, marked withdrawn.
    published = Q(status__in=(KeyMessageStatus.PUBLISHED, KeyMessageStatus.WITHDRAWN))
    if staff.role in (Role.SENIOR_LEADER, Role.MODERATOR):
        # A draft or a message in review is unredacted: only for a lead or senior leader over
        # every service it covers (its people are theirs), besides its author and reviewer.
        return (
            published
            | _over_every_service(services_overseen(staff))
            | Q(author=staff)
            | Q(reviewer=staff)
        )
    if staff.role == Role.BOARD_MEMBER:
        return published
    sent_to_them = Exists(
        KeyMessageRecipient.objects.filter(key_message=OuterRef("pk"), staff=staff)
    )
    return published & Q(sent_to_them)


def _over_every_service(services: list[int]) -> Q:
    """The messages every service of which is among `services`: a team's (its service), a
    service's, or one to every service of its cycle (each of the cycle's services), as
    `key_message_roles.message_service_ids` reads them."""
    cycle_service_elsewhere = Cycle.services.through.objects.filter(
        cycle_id=OuterRef("cycle_id")
    ).exclude(service_id__in=services)
    return (
        Q(team__service_id__in=services)
        | Q(team__isnull=True, service_id__in=services)
        | Q(~Exists(cycle_service_elsewhere), team__isnull=True, service__isnull=True)
    )


def get_key_message_for_user(user: Any, public_id: UUID | str) -> KeyMessage:
    """The key message, if `user` may read it; 404 otherwise, as for one that does not exist.
    A key message names no child (it is redacted before anyone but its writers sees it), so
    reading it is not a read of a child's data and is not logged as one; the pages that show a
    draft's examples log the audits they were drawn from (`Purpose.KEY_MESSAGE`)."""
    staff = staff_for(user)
    try:
        return (
            KeyMessage.objects.filter(key_message_visibility_filter(staff), public_id=public_id)
            .select_related("cycle", "service", "team", "author", "reviewer")
            .get()
        )
    except (KeyMessage.DoesNotExist, ValueError) as exc:
        raise Http404("No key message found.") from exc
