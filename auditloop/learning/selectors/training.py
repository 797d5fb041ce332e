"""Reads for training: the figures the rules are evaluated on, the rules, the needs and events
each person may see, and the grades compared on an event's impact page.

The audits that count are a cycle's submitted or completed audits (`SHARED_STATUSES`), never a
calibration exercise's, each at the grade that counts (the agreed grade after moderation, else
the auditor's: `answer_grade_counted` / `overall_grade_counted`). Every read is a fixed number
of queries however many teams, rules or needs there are."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import (
    SHARED_STATUSES,
    Answer,
    Audit,
    AuditType,
    Grade,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.audits.rules import grade_places
from auditloop.audits.selectors.audits import answer_grade_counted, overall_grade_counted
from auditloop.learning.access.training import event_services, need_visibility_filter
from auditloop.learning.models import (
    LearningPoint,
    Theme,
    TrainingAttendance,
    TrainingEvent,
    TrainingNeed,
    TrainingRule,
    TrainingRuleKind,
)
from auditloop.learning.rules.training import Domain, TeamFigures
from auditloop.learning.rules.training_impact import PersonGrades
from auditloop.sampling.models import Cycle

# The scale an "any domain" rule's grade is read on: the Ofsted four-point scale the shipped
# tools grade with (Requires improvement is 2 on it).
DEFAULT_SCALE_SLUG = "ofsted-four"
# How far before and after an event the impact page looks for audits.
IMPACT_WINDOW_DAYS = 183
TOOL = "question__section__version__tool_id"


# Counting for the rules -----------------------------------------------------------------------


def audits_counted(cycle: Cycle) -> QuerySet[Audit]:
    """The cycle's audits that count in its figures: submitted or completed, not calibration,
    with a team."""
    return Audit.objects.filter(
        cycle_link__cycle=cycle, status__in=SHARED_STATUSES, team__isnull=False
    ).exclude(audit_type=AuditType.CALIBRATION)


def team_figures(cycle: Cycle) -> dict[int, TeamFigures]:
    """Each team's counted audits in the cycle, its domains' grades that count and its themes,
    by team id. Four queries."""
    counted = audits_counted(cycle)
    teams = {
        row["team_id"]: TeamFigures(team_id=row["team_id"], audits=row["n"])
        for row in counted.values("team_id").annotate(n=Count("id")).order_by()
    }
    # The ids as a list, not a subquery: PostgreSQL planned the subquery joined to every
    # answer as a nested loop that ran for minutes on a large council.
    counted_ids = list(counted.values_list("id", flat=True))
    graded = (
        Answer.objects.filter(audit_id__in=counted_ids, question__kind=QuestionKind.GRADED)
        .annotate(counted_value=answer_grade_counted("value"))
        .filter(counted_value__isnull=False)
        .values("audit__team_id", TOOL, "question__code", "counted_value")
        .annotate(n=Count("audit_id", distinct=True))
        .order_by()
    )
    for row in graded:
        domain = (row[TOOL], row["question__code"])
        by_grade = teams[row["audit__team_id"]].grades.setdefault(domain, {})
        by_grade[row["counted_value"]] = row["n"]
    themed = (
        LearningPoint.themes.through.objects.filter(learningpoint__audit_id__in=counted_ids)
        .values("learningpoint__audit__team_id", "theme_id")
        .annotate(n=Count("learningpoint__audit_id", distinct=True))
        .order_by()
    )
    for themed_row in themed:
        team_id, theme_id = themed_row["learningpoint__audit__team_id"], themed_row["theme_id"]
        teams[team_id].themes[theme_id] = themed_row["n"]
    return teams


def default_scale_domains() -> list[Domain]:
    """The domains an "any domain" rule looks at: the graded questions' (tool, code) of tool
    versions graded on the four-point scale."""
    rows = (
        Question.objects.filter(
            kind=QuestionKind.GRADED, section__version__grading_scale__slug=DEFAULT_SCALE_SLUG
        )
        .values_list("section__version__tool_id", "code")
        .distinct()
        .order_by("section__version__tool_id", "code")
    )
    return [(tool, code) for tool, code in rows]


def domain_of(question: Question) -> Domain:
    """A question's domain: its tool and code, the same in every version of the tool."""
    return (question.section.version.tool_id, question.code)


def same_domain(question: Question, prefix: str = "question__") -> Q:
    """The answers (or, with `prefix=""`, the questions) of `question`'s domain, in any
    version of its tool."""
    tool, code = domain_of(question)
    return Q(**{f"{prefix}section__version__tool_id": tool, f"{prefix}code": code})


def graded_questions_published() -> QuerySet[Question]:
    """The graded questions of published tool versions, for a rule's or an event's domain."""
    return (
        Question.objects.filter(kind=QuestionKind.GRADED, section__version__is_published=True)
        .select_related("section__version__tool")
        .order_by("section__version__tool__name", "-section__version__number", "code")
    )


def default_scale_grades() -> list[Grade]:
    return list(Grade.objects.filter(scale__slug=DEFAULT_SCALE_SLUG).order_by("-value"))


def grade_words(question: Question | None, value: int | None) -> str:
    """Grade `value` at or below, in words, on the question's scale (or the four-point scale):
    "Requires improvement or worse", or just "Inadequate" for the lowest grade."""
    if value is None:
        return ""
    if question is not None:
        scale = ToolVersion.objects.filter(sections__questions=question).values("grading_scale")
        grades = Grade.objects.filter(scale__in=scale)
    else:
        grades = Grade.objects.filter(scale__slug=DEFAULT_SCALE_SLUG)
    grade = grades.filter(value=value).first()
    if grade is None:
        return f"grade {value} or worse"
    return grade.label if not grades.filter(value__lt=value).exists() else f"{grade.label} or worse"


# Rules, needs and events ----------------------------------------------------------------------


def rules_listed() -> QuerySet[TrainingRule]:
    return (
        TrainingRule.objects.select_related("question", "theme", "created_by")
        .annotate(need_count=Count("needs"))
        .order_by("-is_active", "name", "id")
    )


def rule_words(rule: TrainingRule, labels: dict[int, str]) -> str:
    """When the rule fires, in words: `labels` are the four-point scale's, by value."""
    if rule.kind == TrainingRuleKind.DOMAIN_SHARE:
        domain = f"{rule.question.code} {rule.question.text}" if rule.question else "Any domain"
        value = rule.grade_value or 0
        grade = labels.get(value, f"grade {value}")
        worse = " or worse" if any(v < value for v in labels) else ""
        return (
            f"{domain} graded {grade}{worse} in more than {rule.percent}% of a team's "
            "audits in a cycle"
        )
    theme = f"The theme \u201c{rule.theme.name}\u201d" if rule.theme else "Any theme"
    return f"{theme} in more than {rule.count} of a team's audits in a cycle"


def themes_active() -> QuerySet[Theme]:
    return Theme.objects.filter(is_active=True).order_by("name")


def needs_visible_to(staff: StaffMember) -> QuerySet[TrainingNeed]:
    return TrainingNeed.objects.filter(need_visibility_filter(staff)).select_related(
        "rule", "cycle", "team__service", "question", "theme", "decided_by"
    )


def needs_matching(
    staff: StaffMember,
    *,
    cycle: Cycle | None = None,
    status: str = "",
    team: Team | None = None,
) -> QuerySet[TrainingNeed]:
    needs = needs_visible_to(staff)
    if cycle is not None:
        needs = needs.filter(cycle=cycle)
    if status:
        needs = needs.filter(status=status)
    if team is not None:
        needs = needs.filter(team=team)
    return needs.order_by("-cycle__starts_on", "team__name", "title", "id")


def need_teams(staff: StaffMember) -> QuerySet[Team]:
    """The teams whose needs `staff` may read, for the list's filter."""
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return Team.objects.filter(service_id__in=services_overseen(staff)).select_related(
            "service"
        )
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        return Team.objects.filter(pk=staff.team_id).select_related("service")
    return Team.objects.none()


def cycles_for_rules(staff: StaffMember) -> QuerySet[Cycle]:
    """The cycles covering a service `staff` oversees, latest first."""
    return (
        Cycle.objects.filter(services__in=services_overseen(staff))
        .distinct()
        .order_by("-starts_on", "name")
    )


def events_listed() -> QuerySet[TrainingEvent]:
    return (
        TrainingEvent.objects.select_related("question", "theme")
        .annotate(
            attended=Count("attendance", distinct=True), answered=Count("needs", distinct=True)
        )
        .order_by("-held_on", "title", "id")
    )


def event_attendance(event: TrainingEvent, staff: StaffMember) -> QuerySet[TrainingAttendance]:
    """Who attended, as `staff` may see it: every attendee for audit leads and senior leaders,
    their own team's for a team manager."""
    rows = TrainingAttendance.objects.filter(event=event).select_related("staff__team")
    if staff.role == Role.TEAM_MANAGER:
        rows = rows.filter(staff__team=staff.team) if staff.team else rows.none()
    return rows.order_by("staff__name", "id")


def event_needs(event: TrainingEvent, staff: StaffMember) -> QuerySet[TrainingNeed]:
    return needs_visible_to(staff).filter(events=event).order_by("title", "id")


def needs_open_for_events(staff: StaffMember) -> QuerySet[TrainingNeed]:
    """Needs an event may answer: open or planned, in the audit lead's services."""
    return needs_visible_to(staff).filter(status__in=["open", "planned"]).order_by("title", "id")


def attendance_candidates(staff: StaffMember) -> QuerySet[StaffMember]:
    """The staff an audit lead may mark as attending: the active staff of the teams in their
    services, by team."""
    return (
        StaffMember.objects.filter(is_active=True, team__service_id__in=services_overseen(staff))
        .select_related("team__service")
        .order_by("team__service__name", "team__name", "name")
    )


# Impact -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactData:
    """What the impact page compares: each practitioner's places, by group, and the scale."""

    attendees: list[PersonGrades]
    others: list[PersonGrades]
    labels: list[str]  # the scale's grade labels by place, lowest first
    before: tuple[datetime.date, datetime.date]
    after: tuple[datetime.date, datetime.date]
    left_out: int  # audits graded on another scale than the one compared


def impact_data(event: TrainingEvent, *, today: datetime.date) -> ImpactData:
    """The grades that count of the audits of attendees' cases (they were the practitioner)
    in the window before the event and the window after it (up to today), and those of the
    comparison group: practitioners of the same services who did not attend. Only people with
    audits in both periods. On the event's domain if it has one, else the overall grade; on
    one scale (the domain's, or the one most of the overall grades use). Three queries."""
    before = (event.held_on - datetime.timedelta(days=IMPACT_WINDOW_DAYS), event.held_on)
    after_end = min(today, event.held_on + datetime.timedelta(days=IMPACT_WINDOW_DAYS))
    after = (event.held_on + datetime.timedelta(days=1), after_end)
    attendee_ids = set(
        TrainingAttendance.objects.filter(event=event).values_list("staff_id", flat=True)
    )
    services = event_services(event)
    audits = Audit.objects.filter(
        status__in=SHARED_STATUSES,
        practitioner__isnull=False,
        team__service_id__in=services,
        submitted_at__date__gte=before[0],
        submitted_at__date__lte=after[1],
    ).exclude(audit_type=AuditType.CALIBRATION)
    rows: list[tuple[int, datetime.datetime, int]]
    if event.question is not None:
        answers = (
            Answer.objects.filter(same_domain(event.question), audit__in=audits)
            .annotate(counted=answer_grade_counted("id"))
            .filter(counted__isnull=False)
            .values_list("audit__practitioner_id", "audit__submitted_at", "counted")
        )
        rows = [(p, s, g) for p, s, g in answers if s is not None]
    else:
        graded = (
            audits.annotate(counted=overall_grade_counted("id"))
            .filter(counted__isnull=False)
            .values_list("practitioner_id", "submitted_at", "counted")
        )
        rows = [(p, s, g) for p, s, g in graded if p is not None and s is not None]
    grades = {g.pk: g for g in Grade.objects.filter(pk__in={r[2] for r in rows})}
    scale_id = _scale_compared(event, rows, grades)
    scale = list(Grade.objects.filter(scale_id=scale_id)) if scale_id is not None else []
    places = grade_places(scale)
    by_person: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    left_out = 0
    for person, submitted, grade_id in rows:
        if grade_id not in places:
            left_out += 1
            continue
        day = timezone.localdate(submitted)
        if before[0] <= day < before[1]:
            by_person[person][0].append(places[grade_id])
        elif after[0] <= day <= after[1]:
            by_person[person][1].append(places[grade_id])
    attendees: list[PersonGrades] = []
    others: list[PersonGrades] = []
    for person in sorted(by_person):
        earlier, later = by_person[person]
        if not earlier or not later:
            continue
        grades_of = PersonGrades(before=tuple(sorted(earlier)), after=tuple(sorted(later)))
        (attendees if person in attendee_ids else others).append(grades_of)
    labels = [g.label for g in sorted(scale, key=lambda g: g.value)]
    return ImpactData(attendees, others, labels, before, after, left_out)


def _scale_compared(
    event: TrainingEvent, rows: list[tuple[int, datetime.datetime, int]], grades: dict[int, Grade]
) -> int | None:
    """The domain's scale, or the scale most of the overall grades are on."""
    counts: dict[int, int] = defaultdict(int)
    for _, _, grade_id in rows:
        counts[grades[grade_id].scale_id] += 1
    if not counts:
        return None
    return max(sorted(counts), key=lambda s: counts[s])
