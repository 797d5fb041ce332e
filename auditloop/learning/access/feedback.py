"""Whose feedback a member of staff may read on the feedback pages.

Feedback on an audit is private to the worker whose case was audited and their line manager
(the auditing roles who already read the audit read it on the audit's own page). So the
feedback pages open for the worker themselves and for their line manager, and for no one else:
a team manager reads the feedback of each member of staff they line-manage, as they would in
supervision, not of the rest of the team nor of anyone else's worker. Which audits each page
lists is still the audits' own rule (`audit_visibility_filter`), never widened: a line manager
sees there only the audits they may already read.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember

# Who has a "My feedback" page: those who hold cases, and so are given feedback, and the team
# managers who line-manage them. (Anyone may open the page of someone they line-manage.)
FEEDBACK_ROLES = (Role.PRACTITIONER, Role.TEAM_MANAGER)


def feedback_workers_filter(staff: StaffMember) -> Q:
    """The members of staff whose feedback `staff` may read: themselves and those they
    line-manage."""
    return Q(pk=staff.pk) | Q(manager=staff)


def get_worker_for_feedback(user: Any, public_id: UUID | str) -> StaffMember:
    """The member of staff, if `user` is them or their line manager; 404 otherwise, as for
    someone who does not exist."""
    staff = staff_for(user)
    try:
        return (
            StaffMember.objects.filter(feedback_workers_filter(staff), public_id=public_id)
            .select_related("team", "manager")
            .get()
        )
    except (StaffMember.DoesNotExist, ValueError) as exc:
        raise Http404("No member of staff found.") from exc
