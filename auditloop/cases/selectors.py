"""Reads of children's case files for the case lists, always scoped to the person asking.

Who may open one case file also depends on its audits, so that rule sits above audits, in
`auditloop.casefiles.selectors`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.cases.models import ChildCase

# Roles that have a case list; others reach a case file only through an audit of it.
CASE_LIST_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.MODERATOR, Role.SENIOR_LEADER, Role.TEAM_MANAGER}
)


def case_list_filter(staff: StaffMember) -> Q:
    """Which case files appear in the person's case list."""
    if staff.role == Role.ADMINISTRATOR:
        return Q()
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return Q(allocated_team__service_id__in=services_overseen(staff))
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        return Q(allocated_team_id=staff.team_id)
    return Q(pk__in=[])


def cases_visible_to(staff: StaffMember) -> QuerySet[ChildCase]:
    """The person's case list, with what a list row shows already joined."""
    return ChildCase.objects.filter(case_list_filter(staff)).select_related(
        "allocated_team", "allocated_worker"
    )


def cases_matching(
    staff: StaffMember,
    *,
    cohort: str = "",
    team: Team | None = None,
    state: str = "open",
) -> QuerySet[ChildCase]:
    """The case list with its filters. `state` is "open", "closed" or "all"."""
    cases = cases_visible_to(staff)
    if cohort:
        cases = cases.filter(cohort=cohort)
    if team is not None:
        cases = cases.filter(allocated_team=team)
    if state == "open":
        cases = cases.filter(is_open=True)
    elif state == "closed":
        cases = cases.filter(is_open=False)
    return cases


def cases_by_child_id(staff: StaffMember, la_child_id: str, *, limit: int = 50) -> list[ChildCase]:
    """Case files whose LA child ID is, or starts with, what was typed; exact matches first."""
    typed = la_child_id.strip()
    if not typed:
        return []
    found = list(cases_visible_to(staff).filter(la_child_id__istartswith=typed)[: limit + 1])
    found.sort(key=lambda c: (c.la_child_id.lower() != typed.lower(), c.la_child_id))
    return found


def teams_for_case_filter(staff: StaffMember) -> QuerySet[Team]:
    """The teams a person can filter their case list by."""
    teams = Team.objects.select_related("service")
    if staff.role == Role.ADMINISTRATOR:
        return teams
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return teams.filter(service_id__in=services_overseen(staff))
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        return teams.filter(pk=staff.team_id)
    return teams.none()
