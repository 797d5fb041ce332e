"""Reads of staff, teams and services: who oversees what (every app asks), and the lists for
administration (services, teams, staff, the event and access logs)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from auditloop.accounts.models import (
    AUDITING_ROLES,
    AccessRequest,
    AccessRequestStatus,
    Role,
    Service,
    SignedInSession,
    StaffMember,
    Team,
)
from auditloop.core.models import AccessLog, Event, FailedSignIn, RefusedRequest

# Who oversees what ---------------------------------------------------------------------------


# The roles who oversee their own team's service as well as the services named for them.
OWN_SERVICE_OVERSEERS = frozenset({Role.MODERATOR, Role.SENIOR_LEADER})


def service_ids_overseen_with(role: str, team: Team | None, service_ids: Iterable[int]) -> set[int]:
    """The rule of who oversees what, for a role, team and services held or only proposed: the
    services named, and an audit lead's or senior leader's own team's service."""
    ids = set(service_ids)
    if team is not None and role in OWN_SERVICE_OVERSEERS:
        ids.add(team.service_id)
    return ids


# Where `services_overseen` keeps its answer on the staff record it was asked about.
_OVERSEEN_MEMO = "_services_overseen_memo"
# Bumped by every change of anyone's services in this process, from either side of the link
# (`staff.services.add(...)` or `service.staffmember_set.add(...)`), so that no record keeps
# an answer worked out before the change.
_services_generation = 0


def services_overseen(staff: StaffMember) -> list[int]:
    """Ids of the services a moderator, senior leader or board member looks across.

    Asked a dozen times by one page (each access rule and selector asks), it is worked out once
    per staff record: the request's own record lives for one request. The answer is kept with
    the role and team it was worked out for, and the count of services changes made so far,
    so a change of any of them is seen at once (`services_overseen_forget`)."""
    key = (staff.role, staff.team_id, _services_generation)
    memo = staff.__dict__.get(_OVERSEEN_MEMO)
    if memo is None or memo[0] != key:
        ids = sorted(
            service_ids_overseen_with(
                staff.role, staff.team, staff.services.values_list("id", flat=True)
            )
        )
        memo = (key, tuple(ids))
        staff.__dict__[_OVERSEEN_MEMO] = memo
    return list(memo[1])


def services_headed_by(staff: StaffMember) -> list[int]:
    """Ids of the services `staff` is head of (usually none, or one). One query: a read rule
    that names these services by id lets the database count their rows, where a join to the
    head of service would be guessed at a seventh of every table."""
    return list(
        Service.objects.filter(head_of_service=staff).order_by().values_list("pk", flat=True)
    )


def services_overseen_forget(**_kwargs: object) -> None:
    """`m2m_changed` receiver for staff records' services: every answer kept is stale."""
    global _services_generation
    _services_generation += 1


def oversees_every_service(staff: StaffMember) -> bool:
    """Whether `staff` looks across every service of the council (so an audit lead may import
    the council-wide case lists)."""
    every_service = set(Service.objects.values_list("id", flat=True))
    return every_service <= set(services_overseen(staff))


def auditors_in_services_of(staff: StaffMember) -> list[StaffMember]:
    """Active staff who can audit, in a team of the lead's services or overseeing one of
    them, by name. One query."""
    services = services_overseen(staff)
    overseeing = Exists(
        StaffMember.services.through.objects.filter(
            staffmember_id=OuterRef("pk"), service_id__in=services
        )
    )
    return list(
        StaffMember.objects.filter(is_active=True, role__in=AUDITING_ROLES)
        .filter(Q(team__service_id__in=services) | Q(overseeing))
        .select_related("team")
        .order_by("name", "pk")
    )


# Administration lists ------------------------------------------------------------------------


def services_with_counts() -> QuerySet[Service]:
    return Service.objects.select_related("head_of_service").annotate(
        team_count=Count("teams", distinct=True)
    )


def teams_with_counts(*, service: Service | None = None) -> QuerySet[Team]:
    teams = Team.objects.select_related("service").annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    )
    if service is not None:
        teams = teams.filter(service=service)
    return teams


def staff_matching(
    *,
    team: Team | None = None,
    role: str = "",
    active: str = "active",
    search: str = "",
) -> QuerySet[StaffMember]:
    """Staff for the administrator's list. `active` is "active", "inactive" or "all"."""
    staff = StaffMember.objects.select_related("team__service", "manager", "user")
    if team is not None:
        staff = staff.filter(team=team)
    if role:
        staff = staff.filter(role=role)
    if active == "active":
        staff = staff.filter(is_active=True)
    elif active == "inactive":
        staff = staff.filter(is_active=False)
    for word in search.split():
        staff = staff.filter(Q(name__icontains=word) | Q(email__icontains=word))
    return staff


def access_requests_for_review(*, pending: bool) -> QuerySet[AccessRequest]:
    """Requests for a change of role: those waiting (oldest first), or those decided (newest
    first)."""
    rows = AccessRequest.objects.select_related(
        "staff__team__service", "team__service", "requested_by__staff", "decided_by__staff"
    ).prefetch_related("services")
    if pending:
        return rows.filter(status=AccessRequestStatus.PENDING).order_by("requested_at", "id")
    return rows.exclude(status=AccessRequestStatus.PENDING).order_by("-decided_at", "-id")


def access_request_waiting(staff: StaffMember) -> AccessRequest | None:
    return (
        staff.access_requests.filter(status=AccessRequestStatus.PENDING)
        .select_related("requested_by__staff")
        .first()
    )


def line_manager_candidates() -> QuerySet[StaffMember]:
    """Active staff who can be someone's line manager: everyone but practitioners and
    board members."""
    return StaffMember.objects.filter(is_active=True).exclude(
        role__in=["practitioner", "board_member"]
    )


def _date_range[M: (Event, AccessLog, RefusedRequest, FailedSignIn)](
    rows: QuerySet[M], date_from: datetime.date | None, date_to: datetime.date | None
) -> QuerySet[M]:
    if date_from is not None:
        rows = rows.filter(at__date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(at__date__lte=date_to)
    return rows


def events_matching(
    *,
    who: str = "",
    verb: str = "",
    target_type: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Event]:
    """The event log, newest first. `who` matches the actor's username or staff name."""
    events = Event.objects.select_related("actor__staff").order_by("-at", "-id")
    if who:
        events = events.filter(
            Q(actor__username__icontains=who) | Q(actor__staff__name__icontains=who)
        )
    if verb:
        events = events.filter(verb=verb)
    if target_type:
        events = events.filter(target_type=target_type)
    return _date_range(events, date_from, date_to)


def access_log_matching(
    *,
    who: str = "",
    target_type: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AccessLog]:
    """The access log, newest first."""
    rows = AccessLog.objects.select_related("user__staff").order_by("-at", "-id")
    if who:
        rows = rows.filter(Q(user__username__icontains=who) | Q(user__staff__name__icontains=who))
    if target_type:
        rows = rows.filter(target_type=target_type)
    return _date_range(rows, date_from, date_to)


def refused_requests_matching(
    *,
    who: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[RefusedRequest]:
    """Pages and records signed-in people were refused (403) or told were not found (404)."""
    rows = RefusedRequest.objects.select_related("user__staff").order_by("-at", "-id")
    if who:
        rows = rows.filter(Q(user__username__icontains=who) | Q(user__staff__name__icontains=who))
    return _date_range(rows, date_from, date_to)


def failed_sign_ins_matching(
    *,
    who: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[FailedSignIn]:
    """Sign-ins that did not succeed. `who` matches the username typed or the login's owner."""
    rows = FailedSignIn.objects.select_related("user__staff").order_by("-at", "-id")
    if who:
        rows = rows.filter(Q(username__icontains=who) | Q(user__staff__name__icontains=who))
    return _date_range(rows, date_from, date_to)


def event_verbs() -> list[str]:
    return list(Event.objects.order_by("verb").values_list("verb", flat=True).distinct())


def event_target_types() -> list[str]:
    return list(
        Event.objects.order_by("target_type").values_list("target_type", flat=True).distinct()
    )


def access_target_types() -> list[str]:
    return list(
        AccessLog.objects.order_by("target_type").values_list("target_type", flat=True).distinct()
    )


# What the log says in place of audit content, which it never holds.
CONTENT_NOT_SHOWN = "Changed (what it says is kept with the record, not in this log)"


def changes(
    before: dict[str, object], after: dict[str, object], content_changed: Iterable[str] = ()
) -> list[tuple[str, str, str]]:
    """An event's before and after as rows of (field, was, now): the changed fields only, and
    for a creation (no before) the fields it set; then the content fields it changed, by name."""
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        was, now = before.get(key), after.get(key)
        if key in before and key in after and was == now:
            continue
        if key not in before and _empty(now):
            continue
        rows.append((_label(key), _show(was, key in before), _show(now, key in after)))
    rows.extend((_label(key), "", CONTENT_NOT_SHOWN) for key in content_changed)
    return rows


_ACRONYMS = {"cp": "CP", "cla": "CLA", "swe": "SWE", "la": "LA", "id": "ID"}


def _label(key: str) -> str:
    words = [_ACRONYMS.get(w, w) for w in key.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


def _show(value: object, present: bool) -> str:
    if not present:
        return ""
    if _empty(value):
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# Signed-in sessions ----------------------------------------------------------------------------


def signed_in_sessions_live(
    user_id: int | None, now: datetime.datetime
) -> QuerySet[SignedInSession]:
    """A login's sessions that have not expired (idle for `SESSION_COOKIE_AGE` since their
    expiry was last renewed, or signed in `AUDITLOOP_SESSION_MAX_SECONDS` ago), most recently
    seen first. One query."""
    if user_id is None:
        return SignedInSession.objects.none()
    return SignedInSession.objects.filter(
        user_id=user_id,
        last_seen_at__gt=now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE),
        signed_in_at__gt=now - datetime.timedelta(seconds=settings.AUDITLOOP_SESSION_MAX_SECONDS),
    )


def leavers_due(today: datetime.date) -> list[StaffMember]:
    """Staff whose end date has come and who are still marked active, or whose login still
    works."""
    return list(
        StaffMember.objects.select_related("user")
        .filter(end_date__lte=today)
        .filter(Q(is_active=True) | Q(user__is_active=True))
        .order_by("name", "pk")
    )
