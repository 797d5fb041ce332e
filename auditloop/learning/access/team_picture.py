"""Who sees which team's picture: the get-for-user helper and its rule.

A team's picture is figures for a group (grades by domain, compliance by check, themes, the
trend), never an individual's grades, and small groups are suppressed. It is for those who
answer for the team's practice:

- a team manager: their own team;
- an audit lead (moderator) and a senior leader: the teams of the services they oversee
  (`services_overseen`);
- a head of service: their service's teams (whatever else their role gives them).

Not practitioners (they read their own feedback and their team's key messages), not board
members (the board's pages are aggregates across services, built apart), not auditors as such
(they read the audits given to them, not a team's), not administrators (no audit content).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.accounts.selectors import services_overseen

# The roles whose holders may read some team's picture (the view's decision); which teams is
# `team_picture_filter`'s.
TEAM_PICTURE_ROLES = (Role.TEAM_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER)


def team_picture_filter(staff: StaffMember) -> Q:
    """The teams whose picture `staff` may read, as one Q over `Team`."""
    rule = Q(service__head_of_service=staff)
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        rule |= Q(pk=staff.team_id)
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        rule |= Q(service_id__in=services_overseen(staff))
    if staff.role not in TEAM_PICTURE_ROLES:
        return Q(pk__in=[])
    return rule


def get_team_for_picture(user: Any, public_id: UUID | str) -> Team:
    """The team, if `user` may read its picture; 404 otherwise, as for a team that does not
    exist. The picture shows figures for a group, no child and no individual's grade, so
    reading it is not a read of a child's data and is not logged as one."""
    staff = staff_for(user)
    try:
        return (
            Team.objects.filter(team_picture_filter(staff), public_id=public_id)
            .select_related("service")
            .get()
        )
    except (Team.DoesNotExist, ValueError) as exc:
        raise Http404("No team found.") from exc
