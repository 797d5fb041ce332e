"""Key messages' reads: the audits a scope counts and their figures, the previous cycle, who a
message goes to, the lists each person reads, and the acknowledgement figures.

A scope is a cycle with a team, a service, or neither (every service the cycle covers). The
audits it counts are the cycle's submitted or completed audits, never a calibration
exercise's, of the scope's teams; the grade counted is the agreed one where moderation set one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.access.audits import grades_hidden_filter
from auditloop.audits.models import (
    SHARED_STATUSES,
    Answer,
    Audit,
    AuditType,
    QuestionKind,
)
from auditloop.audits.selectors.audits import answer_grade_counted, overall_grade_counted
from auditloop.learning.access.key_messages import key_message_visibility_filter
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageRecipient,
    KeyMessageStatus,
    LearningPoint,
    LearningPointKind,
)
from auditloop.learning.rules.key_messages import (
    Candidate,
    DomainCount,
    ScopeCounts,
    ThemeCount,
)
from auditloop.sampling.models import Cycle

# Who a published key message goes to: the practitioners and managers of the teams concerned.
RECIPIENT_ROLES = (Role.PRACTITIONER, Role.TEAM_MANAGER)


@dataclass(frozen=True)
class Scope:
    """A cycle, and a team or a service in it (or neither: every service the cycle covers)."""

    cycle: Cycle
    service: Service | None = None
    team: Team | None = None
    # For every service: only these, where given (the previous cycle, compared with a later
    # one that covers fewer services).
    only_services: tuple[int, ...] = ()
    # The lead compiling from it: the audits they are moderating blind are left out.
    compiled_by: StaffMember | None = None

    @property
    def label(self) -> str:
        if self.team is not None:
            return self.team.name
        if self.service is not None:
            return self.service.name
        return "every service"

    def service_ids(self) -> list[int]:
        """The services the scope covers."""
        if self.team is not None:
            return [self.team.service_id]
        if self.service is not None:
            return [self.service.pk]
        if self.only_services:
            return sorted(self.only_services)
        return sorted(self.cycle.services.values_list("id", flat=True))

    def teams(self) -> QuerySet[Team]:
        """The teams concerned: the team, the service's teams, or the cycle's services'."""
        if self.team is not None:
            return Team.objects.filter(pk=self.team.pk)
        return Team.objects.filter(service_id__in=self.service_ids())


def scope_of(message: KeyMessage) -> Scope:
    return Scope(cycle=message.cycle, service=message.service, team=message.team)


def _team_filter(scope: Scope, prefix: str = "") -> Q:
    if scope.team is not None:
        return Q(**{f"{prefix}team_id": scope.team.pk})
    return Q(**{f"{prefix}team__service_id__in": scope.service_ids()})


def audits_counted(scope: Scope) -> QuerySet[Audit]:
    """The scope's counted audits: the cycle's, submitted or completed, not calibration, less
    any its compiling lead is moderating blind (their auditors' grades and learning points are
    not theirs to read yet: `grades_hidden_filter`, as the team picture leaves them out)."""
    audits = (
        Audit.objects.filter(cycle_link__cycle=scope.cycle, status__in=SHARED_STATUSES)
        .exclude(audit_type=AuditType.CALIBRATION)
        .filter(_team_filter(scope))
    )
    if scope.compiled_by is not None:
        blind = Audit.objects.filter(grades_hidden_filter(scope.compiled_by)).values("pk")
        audits = audits.exclude(pk__in=blind)
    return audits


def scope_counts(scope: Scope) -> ScopeCounts:
    """Count the scope's audits, their graded answers by domain and their learning points by
    domain and theme. A fixed handful of queries, whatever the number of audits."""
    audits = audits_counted(scope)
    overall = audits.alias(needs=overall_grade_counted("needs_action")).aggregate(
        n=Count("id"),
        graded=Count("id", filter=Q(needs__isnull=False)),
        ri=Count("id", filter=Q(needs=True)),
        people=Count("practitioner", distinct=True),
    )
    counts = ScopeCounts(
        cycle=scope.cycle.name,
        audits=overall["n"],
        people=overall["people"],
        graded_audits=overall["graded"],
        requires_improvement_or_worse_audits=overall["ri"],
        good_or_better_audits=overall["graded"] - overall["ri"],
    )
    domains: dict[str, DomainCount] = {}

    def domain(text: str, order: tuple[int, ...]) -> DomainCount:
        if text not in domains:
            domains[text] = DomainCount(domain=text, order=order)
        return domains[text]

    # The ids as a list, not a subquery: PostgreSQL can plan the subquery joined to every
    # answer as a nested loop that runs for minutes.
    audit_ids = list(audits.values_list("id", flat=True))
    answers = (
        Answer.objects.filter(audit_id__in=audit_ids, question__kind=QuestionKind.GRADED)
        .annotate(needs=answer_grade_counted("needs_action"))
        .filter(needs__isnull=False)
        .values("question__text", "question__section__order", "question__order", "needs")
        .annotate(n=Count("id"))
    )
    for row in answers:
        d = domain(row["question__text"], (row["question__section__order"], row["question__order"]))
        d.graded += row["n"]
        if row["needs"]:
            d.requires_improvement_or_worse += row["n"]
        else:
            d.good_or_better += row["n"]
    points = LearningPoint.objects.filter(audit_id__in=audit_ids)
    by_domain = points.values(
        "question__text", "question__section__order", "question__order", "question__kind", "kind"
    ).annotate(n=Count("id"))
    for point_row in by_domain:
        n = point_row["n"]
        if point_row["kind"] == LearningPointKind.GOOD_PRACTICE:
            counts.good_practice_points += n
        else:
            counts.concern_points += n
        # A domain is a graded question; a point on a compliance check counts in the totals
        # and its themes, never as a domain of its own (it has no grades to set beside it).
        if (
            point_row["question__text"] is None
            or point_row["question__kind"] != QuestionKind.GRADED
        ):
            continue
        d = domain(
            point_row["question__text"],
            (point_row["question__section__order"], point_row["question__order"]),
        )
        if point_row["kind"] == LearningPointKind.GOOD_PRACTICE:
            d.good_practice_points += n
        else:
            d.concern_points += n
    themes: dict[str, ThemeCount] = {}
    by_theme = points.values("themes__name", "kind").annotate(
        n=Count("id"), audits=Count("audit", distinct=True)
    )
    theme_audits = {
        row["themes__name"]: row["audits"]
        for row in points.exclude(themes=None)
        .values("themes__name")
        .annotate(audits=Count("audit", distinct=True))
    }
    for theme_row in by_theme:
        name = theme_row["themes__name"]
        if name is None:
            continue
        t = themes.setdefault(name, ThemeCount(theme=name, audits=theme_audits.get(name, 0)))
        if theme_row["kind"] == LearningPointKind.GOOD_PRACTICE:
            t.good_practice_points += theme_row["n"]
        else:
            t.concern_points += theme_row["n"]
    counts.domains = list(domains.values())
    counts.themes = list(themes.values())
    return counts


def previous_cycle(scope: Scope) -> Cycle | None:
    """The cycle before the scope's that covers the same service(s): the latest one that
    started earlier and covers every service the scope does."""
    services = scope.service_ids()
    earlier = Cycle.objects.filter(starts_on__lt=scope.cycle.starts_on).order_by(
        "-starts_on", "-id"
    )
    for service_id in services:
        earlier = earlier.filter(services__id=service_id)
    return earlier.distinct().first()


def example_candidates(scope: Scope) -> list[Candidate]:
    """The scope's learning points as candidates for examples, the longer notes first within
    each domain (a fuller example reads better), then in the order they were written."""
    points = (
        LearningPoint.objects.filter(audit__in=audits_counted(scope))
        .select_related("question")
        .order_by("kind", "question__section__order", "question__order", "created_at", "id")
    )
    return [
        Candidate(
            point_id=p.pk,
            kind=p.kind,
            domain=p.question.text if p.question is not None else "",
            text=p.text,
        )
        for p in points
    ]


def audits_drawn_from(message: KeyMessage) -> list[Audit]:
    """The audits whose learning points became the message's examples."""
    return list(Audit.objects.filter(learning_points__in=message.source_points.all()).distinct())


def recipients_for(scope: Scope) -> list[StaffMember]:
    """The active practitioners and team managers of the teams concerned."""
    return list(
        StaffMember.objects.filter(
            is_active=True, role__in=RECIPIENT_ROLES, team__in=scope.teams()
        ).order_by("name", "id")
    )


def reviewers_for(message: KeyMessage) -> list[StaffMember]:
    """Who may review a message: the audit leads over its services and the senior leaders
    over them, other than its author (active, with a login)."""
    services = scope_of(message).service_ids()
    candidates = StaffMember.objects.filter(
        is_active=True, role__in=(Role.MODERATOR, Role.SENIOR_LEADER)
    ).exclude(pk=message.author_id)
    return [
        s for s in candidates.select_related("team") if set(services) <= set(services_overseen(s))
    ]


# Lists


def key_messages_visible_to(staff: StaffMember) -> QuerySet[KeyMessage]:
    """The key messages `staff` may read, newest first; for the people a message is sent to,
    `acknowledged_at` of their own recipient row is annotated (None: not yet)."""
    mine = KeyMessageRecipient.objects.filter(key_message=OuterRef("pk"), staff=staff)
    return (
        KeyMessage.objects.filter(key_message_visibility_filter(staff))
        .select_related("cycle", "service", "team", "author")
        .annotate(
            sent_to_me=Exists(mine),
            unacknowledged=Exists(mine.filter(acknowledged_at__isnull=True)),
        )
        .order_by("-published_at", "-created_at", "-id")
    )


def key_messages_unacknowledged_by(staff: StaffMember) -> QuerySet[KeyMessage]:
    """The published messages sent to `staff` that they have not acknowledged, newest first."""
    return (
        KeyMessage.objects.filter(
            status=KeyMessageStatus.PUBLISHED,
            recipients__staff=staff,
            recipients__acknowledged_at__isnull=True,
        )
        .select_related("cycle", "service", "team")
        .order_by("-published_at", "-id")
    )


def recipient_row(message: KeyMessage, staff: StaffMember) -> KeyMessageRecipient | None:
    return KeyMessageRecipient.objects.filter(key_message=message, staff=staff).first()


# Acknowledgements


@dataclass(frozen=True)
class TeamAcknowledgements:
    team: str
    acknowledged: int
    sent: int
    # The recipients who have not acknowledged yet, by name: only for those who may see them.
    waiting: tuple[str, ...] | None


@dataclass(frozen=True)
class Acknowledgements:
    acknowledged: int
    sent: int
    teams: list[TeamAcknowledgements]
    names_shown: bool


def acknowledgements_for(message: KeyMessage, staff: StaffMember) -> Acknowledgements | None:
    """The acknowledgement figures a reader may see, or None. Audit leads and senior leaders
    see how many of how many, by team; who has not acknowledged yet is named only to the audit
    leads over the message's services (everyone's) and to a team manager (their own reports
    only: a line manager follows up their own staff). Nobody else sees a name."""
    rows = list(
        KeyMessageRecipient.objects.filter(key_message=message)
        .select_related("staff__team")
        .order_by("staff__team__name", "staff__name", "id")
    )
    if staff.role in (Role.MODERATOR, Role.SENIOR_LEADER):
        lead = staff.role == Role.MODERATOR and set(scope_of(message).service_ids()) <= set(
            services_overseen(staff)
        )
        return _acknowledgements(rows, named=lambda r: lead, names_shown=lead)
    if staff.role == Role.TEAM_MANAGER:
        own = [r for r in rows if r.staff.manager_id == staff.pk]
        if not own:
            return None
        return _acknowledgements(own, named=lambda r: True, names_shown=True)
    return None


def _acknowledgements(
    rows: Sequence[KeyMessageRecipient], *, named: Any, names_shown: bool
) -> Acknowledgements:
    by_team: dict[str, list[KeyMessageRecipient]] = defaultdict(list)
    for r in rows:
        by_team[r.staff.team.name if r.staff.team else "No team"].append(r)
    teams = [
        TeamAcknowledgements(
            team=team,
            acknowledged=sum(1 for r in team_rows if r.acknowledged_at is not None),
            sent=len(team_rows),
            waiting=tuple(r.staff.name for r in team_rows if r.acknowledged_at is None)
            if names_shown and all(named(r) for r in team_rows)
            else None,
        )
        for team, team_rows in sorted(by_team.items())
    ]
    return Acknowledgements(
        acknowledged=sum(t.acknowledged for t in teams),
        sent=sum(t.sent for t in teams),
        teams=teams,
        names_shown=names_shown,
    )


# Compiling: what a lead may choose


def cycles_for_compiling(staff: StaffMember) -> QuerySet[Cycle]:
    """The cycles covering a service the lead oversees."""
    return (
        Cycle.objects.filter(services__id__in=services_overseen(staff))
        .distinct()
        .order_by("-starts_on", "name")
    )


def services_for_compiling(staff: StaffMember) -> QuerySet[Service]:
    return Service.objects.filter(id__in=services_overseen(staff)).order_by("name")


def teams_for_compiling(staff: StaffMember) -> QuerySet[Team]:
    return (
        Team.objects.filter(service_id__in=services_overseen(staff))
        .select_related("service")
        .order_by("service__name", "name")
    )
