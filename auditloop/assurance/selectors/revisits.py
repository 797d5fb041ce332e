"""Reads of revisits across a cycle or a service, scoped to the audit lead or senior leader
asking: the revisits overdue, due and done, the Inadequate audits not yet revisited, and the
figures of what changed (`auditloop.assurance.rules.revisits`).

A revisit belongs to the service of its team and to the cycle of the audit it follows up (a
revisit scheduled here is placed in that cycle too). Every read is a fixed number of queries,
however many revisits the scope holds. A change is counted in places on the earlier audit's
grading scale (`auditloop.audits.rules.grades_apart`), never in grade values.

The moderation blind holds here (`grades_hidden_filter`): an audit whose grades are hidden from
the reader is not listed among the Inadequate audits to revisit (that would say its grade), no
change is shown where either audit of a pair is hidden from them, and such pairs are left out
of the figures they read (with the others' changes listed beside them, the totals would give
the hidden change away)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import formats, timezone

from auditloop.accounts.models import Role, Service, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.rules.revisits import ChangeFigures, change_figures
from auditloop.audits.access.audits import (
    audit_visibility_filter,
    grades_hidden_filter,
    with_grades_hidden,
)
from auditloop.audits.models import SHARED_STATUSES, Answer, Audit, Grade
from auditloop.audits.rules import WRITABLE_STATUSES, answer_steps, change_words, grades_apart
from auditloop.sampling.models import Cycle

SHOW_CHOICES = [
    ("", "Every revisit"),
    ("overdue", "Overdue"),
    ("due", "Due"),
    ("done", "Done"),
    ("unscheduled", "Inadequate audits not yet revisited"),
]


@dataclass(frozen=True)
class RevisitScope:
    """Which revisits a page is about, for whom: the reader, the services (those they oversee,
    or one of them) and, optionally, one cycle. The reader decides which grades are hidden
    (the moderation blind)."""

    reader: StaffMember
    service_ids: list[int]
    cycle: Cycle | None = None


def revisit_scope(
    staff: StaffMember, *, service: Service | None = None, cycle: Cycle | None = None
) -> RevisitScope:
    """The reader's services, narrowed to `service` if it is one of them."""
    overseen = services_overseen(staff)
    ids = [service.pk] if service is not None and service.pk in overseen else overseen
    return RevisitScope(reader=staff, service_ids=ids, cycle=cycle)


def revisit_services(staff: StaffMember) -> QuerySet[Service]:
    return Service.objects.filter(pk__in=services_overseen(staff)).order_by("name")


def _revisits(scope: RevisitScope) -> QuerySet[Audit]:
    revisits = Audit.objects.filter(
        revisit_of__isnull=False, team__service_id__in=scope.service_ids
    )
    if scope.cycle is not None:
        revisits = revisits.filter(revisit_of__cycle_link__cycle=scope.cycle)
    return revisits


def _overdue(today: datetime.date) -> Q:
    return Q(status__in=WRITABLE_STATUSES, due_date__lt=today)


def _due(today: datetime.date) -> Q:
    return Q(status__in=WRITABLE_STATUSES) & (Q(due_date__gte=today) | Q(due_date__isnull=True))


def _inadequate_counted() -> Q:
    """The overall grade that counts (`Audit.grade_counted`) is Inadequate, as one Q."""
    return Q(agreed_overall_grade__is_inadequate=True) | Q(
        agreed_overall_grade__isnull=True, overall_grade__is_inadequate=True
    )


def audits_to_revisit(scope: RevisitScope) -> QuerySet[Audit]:
    """Submitted or completed audits whose grade that counts is Inadequate and that no revisit
    follows up yet, oldest first: they wait longest. Not those whose grades are hidden from
    the reader: being listed here would tell them the grade."""
    audits = Audit.objects.filter(
        _inadequate_counted(),
        status__in=SHARED_STATUSES,
        team__service_id__in=scope.service_ids,
        revisits__isnull=True,
    ).exclude(pk__in=Audit.objects.filter(grades_hidden_filter(scope.reader)).values("pk"))
    if scope.cycle is not None:
        audits = audits.filter(cycle_link__cycle=scope.cycle)
    return audits.select_related(
        "case", "auditor", "team", "tool_version__tool", "overall_grade", "agreed_overall_grade"
    ).order_by("submitted_at", "id")


def revisits_listed(scope: RevisitScope, *, show: str, today: datetime.date) -> QuerySet[Audit]:
    """The revisits in scope, overdue first (longest overdue first), then due (soonest first),
    then done (latest first); `show` narrows them to one of the three."""
    revisits = _revisits(scope)
    if show == "overdue":
        revisits = revisits.filter(_overdue(today))
    elif show == "due":
        revisits = revisits.filter(_due(today))
    elif show == "done":
        revisits = revisits.filter(status__in=SHARED_STATUSES)
    return (
        revisits.select_related(
            "case",
            "auditor",
            "team",
            "tool_version__tool",
            "overall_grade",
            "agreed_overall_grade",
            "revisit_of__overall_grade",
            "revisit_of__agreed_overall_grade",
        )
        .annotate(
            order=Case(
                When(_overdue(today), then=Value(0)),
                When(status__in=WRITABLE_STATUSES, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            # Waiting revisits by due date; done ones have none here, so go latest first.
            waiting_due=Case(
                When(status__in=WRITABLE_STATUSES, then=F("due_date")),
                default=None,
                output_field=DateField(),
            ),
        )
        .order_by("order", F("waiting_due").asc(nulls_last=True), "-submitted_at", "-id")
    )


@dataclass(frozen=True)
class RevisitCounts:
    overdue: int
    due: int
    done: int
    unscheduled: int


def revisit_counts(scope: RevisitScope, *, today: datetime.date) -> RevisitCounts:
    """How many revisits are overdue, due and done, and how many Inadequate audits wait for
    one. Two queries."""
    counts = _revisits(scope).aggregate(
        overdue=Count("pk", filter=_overdue(today)),
        due=Count("pk", filter=_due(today)),
        done=Count("pk", filter=Q(status__in=SHARED_STATUSES)),
    )
    return RevisitCounts(
        overdue=counts["overdue"],
        due=counts["due"],
        done=counts["done"],
        unscheduled=audits_to_revisit(scope).count(),
    )


@dataclass(frozen=True)
class RevisitRow:
    """A revisit as the list shows it. The child's ID and the link only where the reader may
    read the revisit; its change in the overall grade only where they may read both audits and
    the grades of neither are hidden from them (`hidden`)."""

    audit: Audit
    state: str  # "overdue", "due" or "done"
    readable: bool
    change: str
    hidden: bool = False


def _state(audit: Audit, today: datetime.date) -> str:
    if audit.is_shared:
        return "done"
    if audit.due_date is not None and audit.due_date < today:
        return "overdue"
    return "due"


def _overall_change(revisit: Audit, scales: dict[int, list[Grade]]) -> str:
    """The change in the overall grade, in places on the earlier audit's scale."""
    earlier = revisit.revisit_of
    if earlier is None:
        return ""
    before, after = earlier.grade_counted, revisit.grade_counted
    scale = scales.get(before.scale_id, []) if before is not None else []
    return change_words(
        steps=grades_apart(before, after, scale),
        before=before.label if before is not None else "",
        after=after.label if after is not None else "",
        graded=True,
    )


def _scales_of(grades: list[Grade | None]) -> dict[int, list[Grade]]:
    """Every grade of the scales of `grades`, by scale: one query (none for no grade)."""
    ids = {g.scale_id for g in grades if g is not None}
    scales: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=ids) if ids else []:
        scales[grade.scale_id].append(grade)
    return scales


def readable_ids(staff: StaffMember, ids: list[int]) -> dict[int, bool]:
    """Those of `ids` that `staff` may read (the one rule, `audit_visibility_filter`), each
    with whether its grades are hidden from them (`grades_hidden_filter`). One query."""
    if not ids:
        return {}
    visible = with_grades_hidden(
        Audit.objects.filter(audit_visibility_filter(staff), pk__in=ids), staff
    )
    return {audit.pk: audit.grades_hidden for audit in visible.only("pk")}


def revisit_rows(
    staff: StaffMember, revisits: list[Audit], *, today: datetime.date
) -> list[RevisitRow]:
    """Rows for a page of revisits: one query for which of them, and of the audits they follow
    up, the reader may read (and whose grades are hidden from them), and one for the scales
    their changes are counted on."""
    ids = [a.pk for a in revisits] + [a.revisit_of_id for a in revisits if a.revisit_of_id]
    readable = readable_ids(staff, ids)
    shown = []
    for audit in revisits:
        state = _state(audit, today)
        both = audit.pk in readable and audit.revisit_of_id in readable
        hidden = readable.get(audit.pk, False) or readable.get(audit.revisit_of_id or 0, False)
        shown.append((audit, state, both and state == "done" and not hidden, hidden))
    scales = _scales_of(
        [a.revisit_of.grade_counted for a, _, compared, _ in shown if compared and a.revisit_of]
    )
    return [
        RevisitRow(
            audit=audit,
            state=state,
            readable=audit.pk in readable,
            change=_overall_change(audit, scales) if compared else "",
            hidden=hidden,
        )
        for audit, state, compared, hidden in shown
    ]


# Figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionFigures:
    code: str
    text: str
    figures: ChangeFigures


@dataclass(frozen=True)
class ToolFigures:
    name: str
    questions: list[QuestionFigures]


@dataclass(frozen=True)
class RevisitFigures:
    """What changed across the revisits done in scope: overall (pairs where both audits have
    an overall grade) and per question of each audit tool (pairs of audits of the same tool
    where both answered the question with a grade, or a Yes or No). `left_out`: the pairs left
    out because the reader is regrading one of their audits blind."""

    revisits_done: int
    overall: ChangeFigures
    tools: list[ToolFigures] = field(default_factory=list)
    left_out: int = 0


def _counted(agreed: int | None, auditor: int | None) -> int | None:
    return agreed if agreed is not None else auditor


@dataclass(frozen=True)
class _Question:
    tool_id: int
    tool_name: str
    code: str
    text: str
    order: tuple[int, int]


def _hidden_pairs(reader: StaffMember) -> Q:
    """Pairs either of whose audits has its grades hidden from `reader`, as one Q on the
    revisit."""
    hidden = Audit.objects.filter(grades_hidden_filter(reader)).values("pk")
    return Q(pk__in=hidden) | Q(revisit_of_id__in=hidden)


def revisit_figures(scope: RevisitScope) -> RevisitFigures:
    """Four queries: the pairs left out for the blind, the pairs with their overall grades,
    every grade (to count changes in places on their scales), then both audits' answers."""
    every_done = _revisits(scope).filter(
        status__in=SHARED_STATUSES, revisit_of__status__in=SHARED_STATUSES
    )
    hidden = _hidden_pairs(scope.reader)
    left_out = every_done.filter(hidden).count()
    done = every_done.exclude(hidden)
    pairs = list(
        done.values_list(
            "pk",
            "revisit_of_id",
            "tool_version__tool_id",
            "revisit_of__tool_version__tool_id",
            "agreed_overall_grade_id",
            "overall_grade_id",
            "revisit_of__agreed_overall_grade_id",
            "revisit_of__overall_grade_id",
        ).order_by("pk")
    )
    grades = {g.pk: g for g in Grade.objects.all()}
    scales: dict[int, list[Grade]] = defaultdict(list)
    for one in grades.values():
        scales[one.scale_id].append(one)

    def grade(grade_id: int | None) -> Grade | None:
        return grades.get(grade_id) if grade_id is not None else None

    def scale_of(before: Grade | None) -> list[Grade]:
        """The scale a change is counted on: the earlier grade's."""
        return scales[before.scale_id] if before is not None else []

    overall = []
    for *_, agreed_after, after, agreed_before, before in pairs:
        was = grade(_counted(agreed_before, before))
        steps = grades_apart(was, grade(_counted(agreed_after, after)), scale_of(was))
        if steps is not None:
            overall.append(steps)
    # Both audits of each pair as one set of keys: ORed, the two sets made PostgreSQL read every
    # answer of the council (2.5 million on the national one) to test each against both.
    paired = done.values("pk").union(done.values("revisit_of_id"))
    answers = Answer.objects.filter(audit__in=paired).values_list(
        "audit_id",
        "question__code",
        "question__text",
        "question__section__order",
        "question__order",
        "question__section__version__tool_id",
        "question__section__version__tool__name",
        "compliance",
        "agreed_grade_id",
        "grade_id",
    )
    given: dict[int, dict[str, tuple[str, Grade | None]]] = defaultdict(dict)
    questions: dict[tuple[int, str], _Question] = {}
    revisit_ids = {pair[0] for pair in pairs}
    for (
        audit_id,
        code,
        text,
        s_order,
        q_order,
        tool_id,
        tool_name,
        yes_no,
        agreed,
        graded,
    ) in answers:
        given[audit_id][code] = (yes_no, grade(_counted(agreed, graded)))
        if audit_id in revisit_ids or (tool_id, code) not in questions:
            # The revisit's wording, the later version's, where the versions differ.
            questions[tool_id, code] = _Question(tool_id, tool_name, code, text, (s_order, q_order))
    differences: dict[tuple[int, str], list[int]] = defaultdict(list)
    for revisit_id, earlier_id, tool_id, earlier_tool_id, *_ in pairs:
        if tool_id != earlier_tool_id:
            continue
        earlier_given = given.get(earlier_id, {})
        for code, (yes_no, now) in given.get(revisit_id, {}).items():
            if code not in earlier_given:
                continue
            was_yes_no, was = earlier_given[code]
            change = answer_steps(
                before_compliance=was_yes_no,
                before_grade=was,
                after_compliance=yes_no,
                after_grade=now,
                scale=scale_of(was),
            )
            if change is not None:
                differences[tool_id, code].append(change)
    by_tool: dict[int, list[_Question]] = defaultdict(list)
    for key in differences:
        by_tool[key[0]].append(questions[key])
    tools = [
        ToolFigures(
            name=qs[0].tool_name,
            questions=[
                QuestionFigures(q.code, q.text, change_figures(differences[q.tool_id, q.code]))
                for q in sorted(qs, key=lambda q: q.order)
            ],
        )
        for qs in sorted(by_tool.values(), key=lambda qs: qs[0].tool_name)
    ]
    return RevisitFigures(
        revisits_done=len(pairs),
        overall=change_figures(overall),
        tools=tools,
        left_out=left_out,
    )


def revisit_scheduled_message(revisit: Audit, earlier: Audit) -> str:
    """The notice to a revisit's auditor, shown in the product and emailed: never the child's
    ID, only the team, the earlier audit and when the revisit is due."""
    where = f" in {revisit.team.name}" if revisit.team is not None else ""
    when = earlier.submitted_at or earlier.created_at
    due = revisit.due_date or timezone.localdate(revisit.created_at)
    return (
        f"A revisit for you to do: the {earlier.get_audit_type_display().lower()} audit of a "
        f"case{where}, submitted {_day(timezone.localdate(when))}, is to be revisited by "
        f"{_day(due)}."
    )


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def audit_leads_over(service_id: int) -> list[StaffMember]:
    """The active audit leads overseeing the service, by name."""
    return list(
        StaffMember.objects.filter(is_active=True, role=Role.MODERATOR)
        .filter(Q(services__id=service_id) | Q(team__service_id=service_id))
        .distinct()
        .order_by("name", "pk")
    )


def unfinished_revisit(audit: Audit) -> Audit | None:
    """A revisit of `audit` still planned or in progress, if there is one."""
    return audit.revisits.filter(status__in=WRITABLE_STATUSES).order_by("due_date", "pk").first()


def revisit_cycle(audit: Audit) -> Cycle | None:
    """The cycle that planned `audit`, if one did."""
    link = getattr(audit, "cycle_link", None)  # the reverse one-to-one raises when missing
    return link.cycle if link is not None else None
