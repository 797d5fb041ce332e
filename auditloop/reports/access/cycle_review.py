"""Who may preview a cycle's review: those who may issue it (`may_issue_reviews`: audit leads
and senior leaders overseeing every service of the cycle). The preview shows figures for
services and teams, no child and no individual's grade, so reading it is not a read of a
child's data and is not logged as one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role
from auditloop.reports.access.scopes import may_issue_reviews
from auditloop.sampling.models import Cycle

# The roles that may issue some cycle's review (the view's decision); which cycles is
# `may_issue_reviews`'s.
REVIEW_PREVIEW_ROLES = (Role.MODERATOR, Role.SENIOR_LEADER)


def get_cycle_for_review_preview(user: Any, public_id: UUID | str) -> Cycle:
    """The cycle, if `user` may issue its review; 404 otherwise, as for a cycle that does not
    exist."""
    staff = staff_for(user)
    cycle = Cycle.objects.filter(public_id=public_id).first()
    if cycle is None or not may_issue_reviews(staff, cycle):
        raise Http404("No cycle found.")
    return cycle
