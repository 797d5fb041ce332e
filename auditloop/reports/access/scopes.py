"""Whose figures each role reads: the access rule of the dashboards, the cycle review and the
aggregates API (the API calls these same functions, so that a user sees the same rows and
figures in both).

- An audit lead (moderator) and a senior leader: every team of the services they oversee
  (`services_overseen`), by team name; a head of service, their service's teams too.
- A team manager: their own team.
- A practitioner: their own audited cases (their own grades: they read each of those audits).
- A board member: no live figures at all; the issued committee versions of the cycle reviews
  and the published key messages (`auditloop.reports.access.reviews`), which name no child and
  no member of staff.
- An auditor as such, an administrator: no dashboard (an auditor reads the audits given to
  them; an administrator reads no audit content).

The committee's version of a cycle review (`review_scope`) covers the cycle's services, by
service, never naming a team or a person, with small counts suppressed as well as small groups.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.reports.models import Audience
from auditloop.reports.selectors.scope import ReportScope
from auditloop.sampling.models import Cycle

# Roles with a dashboard of live figures (the view's decision); the scope is `dashboard_scope`'s.
DASHBOARD_ROLES = (Role.PRACTITIONER, Role.TEAM_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER)


def dashboard_service_ids(
    staff: StaffMember, *, headed: tuple[int, ...] | None = None
) -> tuple[int, ...]:
    """The services whose figures `staff` reads on their dashboard (none for a role without
    one). Two queries at most; one fewer given the services they head (`services_headed`)."""
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        ids = set(services_overseen(staff))
    elif staff.role in {Role.TEAM_MANAGER, Role.PRACTITIONER} and staff.team_id is not None:
        ids = set(Team.objects.filter(pk=staff.team_id).values_list("service_id", flat=True))
    else:
        ids = set()
    if staff.role in DASHBOARD_ROLES:
        ids |= set(services_headed(staff) if headed is None else headed)
    return tuple(sorted(ids))


def services_headed(staff: StaffMember) -> tuple[int, ...]:
    """The services `staff` is head of. One query."""
    return tuple(Service.objects.filter(head_of_service=staff).values_list("pk", flat=True))


def dashboard_cycles(
    staff: StaffMember, *, service_ids: tuple[int, ...] | None = None
) -> QuerySet[Cycle]:
    """The cycles `staff` may pick on their dashboard: those of the services they read
    (`dashboard_service_ids`, worked out here unless given), newest first."""
    if service_ids is None:
        service_ids = dashboard_service_ids(staff)
    return Cycle.objects.filter(services__in=service_ids).distinct().order_by("-starts_on", "-id")


def dashboard_scope(
    staff: StaffMember,
    cycle: Cycle,
    *,
    service_ids: tuple[int, ...] | None = None,
    headed: tuple[int, ...] | None = None,
) -> ReportScope | None:
    """What `staff` reads of `cycle` on their dashboard (and through the aggregates API), or
    None when they have no dashboard or the cycle is none of theirs. The services they read
    and head are worked out here unless given (a page that asked them already)."""
    if headed is None:
        # Only a role with a dashboard reads the services it heads (`dashboard_service_ids`).
        headed = services_headed(staff) if staff.role in DASHBOARD_ROLES else ()
    if service_ids is None:
        service_ids = dashboard_service_ids(staff, headed=headed)
    cycle_services = set(cycle.services.values_list("pk", flat=True))
    covered = tuple(sorted(set(service_ids) & cycle_services))
    if not covered:
        return None
    if staff.role not in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
        return ReportScope(reader=staff, cycle=cycle, service_ids=covered)
    # A head of service who is also a team manager (or holds cases) reads the services of the
    # cycle they head, whole; heading only a service outside the cycle widens nothing.
    headed_here = cycle_services & set(headed)
    if headed_here:
        return ReportScope(reader=staff, cycle=cycle, service_ids=tuple(sorted(headed_here)))
    if staff.role == Role.PRACTITIONER:
        return ReportScope(reader=staff, cycle=cycle, service_ids=covered, practitioner_id=staff.pk)
    return ReportScope(
        reader=staff, cycle=cycle, service_ids=covered, team_ids=(staff.team_id or 0,)
    )


def review_scope(cycle: Cycle, audience: str) -> ReportScope:
    """What a cycle review counts: every service of the cycle; the committee's version by
    service with small counts suppressed, the leaders' by team. No reader: a review counts
    the same whoever issues, previews or reads it (at the command line too), leaving out every
    audit still under a blind moderation (`audits_in_scope`), so that none of its readers can
    recover a blind audit's grade by comparing it with their own dashboard."""
    service_ids = tuple(sorted(cycle.services.values_list("pk", flat=True)))
    committee = audience == Audience.COMMITTEE
    return ReportScope(
        reader=None,
        cycle=cycle,
        service_ids=service_ids,
        names_teams=not committee,
        small_counts=committee,
    )


def may_issue_reviews(staff: StaffMember, cycle: Cycle) -> bool:
    """Audit leads and senior leaders overseeing every service of the cycle issue its
    reviews and read the leaders' version. A cycle with no service has no review (an empty
    set of services would be within anyone's)."""
    if staff.role not in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return False
    services = set(cycle.services.values_list("pk", flat=True))
    return bool(services) and services <= set(services_overseen(staff))


def review_reader_filter(staff: StaffMember) -> Q:
    """The issued cycle reviews `staff` may read, as one Q over `CycleReview`: the committee
    version for board members, audit leads and senior leaders over any of the cycle's
    services; the leaders' version only for those who may issue it (checked per review by
    `may_issue_reviews`)."""
    if staff.role not in {Role.BOARD_MEMBER, Role.MODERATOR, Role.SENIOR_LEADER}:
        return Q(pk__in=[])
    return Q(cycle__services__in=services_overseen(staff))
