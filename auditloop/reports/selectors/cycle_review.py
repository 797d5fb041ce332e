"""The six-month cycle review's sections, in the order of the report to the Improvement Board
(`shared/practice/audit-tools.md` §5): summary, activity, moderation, compliance, quality,
thematic and deep-dive findings, safeguarding, learning and workforce, next six months.

Every figure is a `Block` for the review's `ReportScope` (`review_scope`): the committee's by
service, small counts suppressed, naming no team and no person; the leaders' by team. Where
`reports.selectors.figures` has a function for a block, the review uses it, so that the
dashboards and the review show the same figures. A part with nothing to count says so in
words. No block holds a child's details or any case text; people appear only as numbers.
Each part asks a fixed number of queries, however many audits the cycle has.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from auditloop.accounts.models import Team
from auditloop.assurance.models import Moderation
from auditloop.audits.models import AuditType, Escalation, Grade
from auditloop.audits.selectors.audits import overall_grade_counted
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageStatus,
    LearningPoint,
    LearningPointKind,
    TrainingAttendance,
    TrainingEvent,
    TrainingNeed,
    TrainingNeedStatus,
)
from auditloop.learning.selectors.team_picture import (
    GOOD_OR_BETTER,
    _good_share,
    figure_table,
    small_group_min,
)
from auditloop.reports.blocks import Block, Chart, ChartKind, Section, Series
from auditloop.reports.models import Target, TargetMeasure
from auditloop.reports.selectors import figures
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope
from auditloop.sampling.models import Cycle, Quota, SampleDraw

KEY_MESSAGES_SHOWN = 3
# Training events whose impact the review reports: the cycle's most recent few (each is its
# own comparison; the training pages hold them all).
IMPACT_EVENTS = 3
NOT_YET = "auditloop does not give these figures yet, so this part has none to show."

type FigureFunction = Callable[[ReportScope], list[Block]]


def cycle_review_sections(scope: ReportScope) -> list[Section]:
    """The nine sections of the review of `scope.cycle`, in order."""
    return [
        summary_section(scope),
        activity_section(scope),
        Section(
            key="moderation",
            heading="3. Moderation",
            words=["Which audits were moderated, and how far auditors and moderators agreed."],
            blocks=_figures(figures.moderation, scope, "moderation", "Moderation"),
        ),
        Section(
            key="compliance",
            heading="4. Compliance",
            words=["The compliance checks of the dip sample: how often each was met."],
            blocks=[
                *_figures(figures.compliance_by_check, scope, "compliance", "Compliance by check"),
                *_figures(
                    figures.quality_share, scope, "quality-share", "Quality against compliance"
                ),
            ],
        ),
        quality_section(scope),
        thematic_section(scope),
        safeguarding_section(scope),
        learning_section(scope),
        next_section(scope),
    ]


def _figures(function: FigureFunction, scope: ReportScope, key: str, heading: str) -> list[Block]:
    try:
        return function(scope)
    except NotImplementedError:
        return [Block(key=key, heading=heading, words=[NOT_YET])]


def _group_field(scope: ReportScope, prefix: str = "") -> str:
    return f"{prefix}team_id" if scope.names_teams else f"{prefix}team__service_id"


def _group_names(scope: ReportScope) -> dict[int, str]:
    """Every team (leaders) or service (committee) of the scope, by id, whether or not it has
    figures. One query."""
    teams = Team.objects.filter(service_id__in=scope.service_ids)
    if scope.team_ids is not None:
        teams = teams.filter(pk__in=scope.team_ids)
    if scope.names_teams:
        return dict(teams.values_list("pk", "name"))
    return dict(teams.values_list("service_id", "service__name").distinct())


def _row_heading(scope: ReportScope) -> str:
    return "Team" if scope.names_teams else "Service"


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# 1. Summary ---------------------------------------------------------------------------------


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The last cycle before `cycle` of any of the same services (that started earlier)."""
    return (
        Cycle.objects.filter(services__in=cycle.services.all(), starts_on__lt=cycle.starts_on)
        .exclude(pk=cycle.pk)
        .distinct()
        .order_by("-starts_on", "-id")
        .first()
    )


def summary_section(scope: ReportScope) -> Section:
    blocks = figures.grades_overall(scope)
    blocks.extend(_against_last_and_targets(scope))
    blocks.append(_key_messages(scope))
    return Section(
        key="summary",
        heading="1. Summary",
        words=[
            f"The review of {scope.cycle.name} ({_day(scope.cycle.starts_on)} to "
            f"{_day(scope.cycle.ends_on)}): the overall grades that count, against the last "
            "cycle of the same services and against the targets the council set, and the "
            "cycle's key messages."
        ],
        blocks=blocks,
    )


def _overall_by_cycle(
    scope: ReportScope, cycles: list[Cycle]
) -> dict[int, dict[int, dict[int, int]]]:
    """scale -> cycle -> grade -> audits, over `cycles`. One query a cycle."""
    by_scale: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for c in cycles:
        counts = (
            audits_in_scope(scope, cycle=c)
            .annotate(counted=overall_grade_counted("id"))
            .exclude(counted=None)
            .values("tool_version__grading_scale_id", "counted")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in counts:
            by_scale[row["tool_version__grading_scale_id"]][c.pk][row["counted"]] = row["n"]
    return by_scale


def _shares(
    counts: dict[int, int], grades: list[Grade], shown: bool
) -> tuple[float | None, float | None]:
    """(share Inadequate, share Good or better) in %, None when not shown or nothing graded."""
    total = sum(counts.get(g.pk, 0) for g in grades)
    if not shown or total == 0:
        return None, None
    inadequate = sum(counts.get(g.pk, 0) for g in grades if g.is_inadequate)
    good = sum(counts.get(g.pk, 0) for g in grades if not g.needs_action)
    return round(100 * inadequate / total, 1), round(100 * good / total, 1)


def _pct(value: float | None) -> str:
    return "not shown" if value is None else f"{value:g}%"


def _against_last_and_targets(scope: ReportScope) -> list[Block]:
    """This cycle's overall grades beside the last cycle's, as a table and in words, and
    against the targets. Five queries."""
    cycle = scope.cycle
    last = previous_cycle(cycle)
    cycles = [cycle] if last is None else [cycle, last]
    by_scale = _overall_by_cycle(scope, cycles)
    if not by_scale:
        return [
            Block(
                key="against-last-cycle",
                heading="Against the last cycle and the targets",
                words=[figures.NO_AUDITS],
            )
        ]
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=list(by_scale)).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    targets = _targets(scope)
    blocks = []
    for index, scale in enumerate(sorted(by_scale)):
        scale_grades = grades[scale]
        rows = [
            (
                f"{c.name} ({'this cycle' if c.pk == cycle.pk else 'last cycle'})",
                [by_scale[scale][c.pk].get(g.pk, 0) for g in scale_grades],
            )
            for c in cycles
        ]
        table = figure_table(
            caption="Overall grades: this cycle and the last",
            row_heading="Cycle",
            columns=[g.label for g in scale_grades],
            rows=rows,
            column_totals=False,
            total_heading="Audits with an overall grade",
            derived_heading=f"Share {GOOD_OR_BETTER.lower()}",
            derive=_good_share(scale_grades),
            small_counts=scope.small_counts,
        )
        shares = [
            _shares(
                by_scale[scale][c.pk],
                scale_grades,
                shown=not any(f.suppressed for f in [*row.cells, row.total] if f),
            )
            for c, row in zip(cycles, table.rows, strict=True)
        ]
        words = _comparison_words(cycles, shares, last)
        words.extend(_target_words(targets, shares[0]))
        chart = None
        if any(s is not None for pair in shares for s in pair):
            chart = Chart(
                kind=ChartKind.BARS,
                title="Share Inadequate and share Good or better, this cycle and the last",
                categories=["Inadequate", GOOD_OR_BETTER],
                series=[
                    Series(name=c.name, values=[shares[i][0], shares[i][1]])
                    for i, c in enumerate(cycles)
                ],
            )
        key = "against-last-cycle" if index == 0 else f"against-last-cycle-{index + 1}"
        blocks.append(
            Block(
                key=key,
                heading="Against the last cycle and the targets",
                table=table,
                chart=chart,
                words=words,
            )
        )
    return blocks


def _comparison_words(
    cycles: list[Cycle], shares: list[tuple[float | None, float | None]], last: Cycle | None
) -> list[str]:
    inadequate, good = shares[0]
    if inadequate is None:
        return [
            "This cycle's shares are not shown: too few audits to show them without "
            "identifying anyone."
        ]
    words = [f"This cycle: {_pct(inadequate)} Inadequate, {_pct(good)} Good or better."]
    if last is None:
        words.append("There is no earlier cycle of these services to compare with.")
    elif shares[1][0] is None:
        words.append(
            f"The last cycle ({last.name}) had too few audits with a grade to compare with."
        )
    else:
        last_inadequate, last_good = shares[1]
        words.append(
            f"The last cycle ({last.name}): {_pct(last_inadequate)} Inadequate, "
            f"{_pct(last_good)} Good or better. Inadequate {_change(inadequate, last_inadequate)}; "
            f"Good or better {_change(good, last_good)}."
        )
    return words


def _change(now: float | None, then: float | None) -> str:
    if now is None or then is None:
        return "cannot be compared"
    difference = round(now - then, 1)
    if difference == 0:
        return "unchanged"
    direction = "up" if difference > 0 else "down"
    return f"{direction} {abs(difference):g} percentage points"


def _targets(scope: ReportScope) -> list[Target]:
    """The council-wide targets and those of the scope's services. One query."""
    return list(
        Target.objects.filter(
            Q(service__isnull=True) | Q(service_id__in=scope.service_ids)
        ).select_related("service")
    )


def _target_words(targets: list[Target], shares: tuple[float | None, float | None]) -> list[str]:
    """The cycle's shares against the council-wide targets; a service's own target is read
    against that service's row in the overall grades above."""
    council = [t for t in targets if t.service_id is None]
    own = [(t, t.service) for t in targets if t.service is not None]
    if not council and not own:
        return ["The council has set no targets for the grades."]
    inadequate, good = shares
    words = []
    for target in council:
        if target.measure == TargetMeasure.INADEQUATE_AT_MOST:
            aim, value = f"no more than {target.percent}% Inadequate", inadequate
            met = value is not None and value <= target.percent
        else:
            aim, value = f"at least {target.percent}% Good or better", good
            met = value is not None and value >= target.percent
        if value is None:
            words.append(f"Target {aim}: cannot be read this cycle.")
        else:
            words.append(f"Target {aim}: {'met' if met else 'not met'} ({_pct(value)}).")
    for target, service in own:
        words.append(
            f"{service.name} has its own target: {str(target).lower()}"
            " (see its row in the overall grades)."
        )
    return words


def _key_messages(scope: ReportScope) -> Block:
    """The cycle's published key messages, their published (redacted) text: the first three,
    the whole cycle's first, then a service's, then (leaders only) a team's."""
    messages = KeyMessage.objects.filter(
        cycle=scope.cycle, status=KeyMessageStatus.PUBLISHED
    ).filter(Q(service__isnull=True) | Q(service_id__in=scope.service_ids))
    if not scope.names_teams:
        messages = messages.filter(team__isnull=True)
    chosen = list(
        messages.order_by("team_id", "service_id", "published_at", "id").only(
            "published_text", "title", "team_id", "service_id"
        )[:KEY_MESSAGES_SHOWN]
    )
    # Nulls first on every database: the whole cycle's, then a service's, then a team's.
    chosen.sort(key=lambda m: (m.team_id is not None, m.service_id is not None))
    team_names = list(_team_names_of(scope)) if not scope.names_teams else []
    words = []
    for number, message in enumerate(chosen, start=1):
        text = message.published_text or {}
        title = _scrub(str(text.get("title") or message.title), team_names)
        found = _scrub(str(text.get("what_we_found") or ""), team_names)
        words.append(f"{number}. {title}" + (f": {found}" if found else ""))
    if len(chosen) < KEY_MESSAGES_SHOWN:
        words.append(
            "No key message has been published for this cycle."
            if not chosen
            else f"Only {_plural(len(chosen), 'key message has', 'key messages have')} been "
            f"published for this cycle, fewer than the {KEY_MESSAGES_SHOWN} the review "
            "reports."
        )
    return Block(key="key-messages", heading="Key messages", words=words)


def _team_names_of(scope: ReportScope) -> QuerySet[Team, str]:
    return Team.objects.filter(service_id__in=scope.service_ids).values_list("name", flat=True)


def _scrub(text: str, names: list[str]) -> str:
    """A published text with any team's name put as "[team]", for the committee (the text is
    already redacted of people's names and identifiers)."""
    for name in sorted(names, key=len, reverse=True):
        if name.strip():
            text = re.sub(re.escape(name), "[team]", text, flags=re.IGNORECASE)
    return text


# 2. Activity --------------------------------------------------------------------------------


def activity_section(scope: ReportScope) -> Section:
    return Section(
        key="activity",
        heading="2. Activity",
        words=[
            "Audits planned against audits done"
            + (" by team" if scope.names_teams else " by service")
            + ", the cases left out of the cycle's sample draws, and how many took part."
        ],
        blocks=[
            *_figures(figures.progress, scope, "progress", "Planned against done"),
            _exclusions(scope),
            _people(scope),
        ],
    )


def _exclusions(scope: ReportScope) -> Block:
    """Cases the cycle's sample draws left out, by reason (the draws' own words). One query."""
    by_reason: dict[str, int] = defaultdict(int)
    draws = SampleDraw.objects.filter(cycle=scope.cycle, is_draft=False).values_list(
        "exclusions", flat=True
    )
    for exclusions in draws:
        for reason, ids in (exclusions or {}).items():
            by_reason[str(reason)] += len(ids)
    heading = "Exemptions and exclusions"
    if not any(by_reason.values()):
        return Block(
            key="exclusions",
            heading=heading,
            words=["The cycle's sample draws left no case out."],
        )
    reasons = sorted(by_reason, key=lambda r: (-by_reason[r], r))
    table = figure_table(
        caption="Cases left out of the cycle's sample draws, by reason",
        row_heading="Reason",
        columns=["Cases left out"],
        rows=[(reason, [by_reason[reason]]) for reason in reasons],
        total_heading="Total",
        small_counts=scope.small_counts,
    )
    return Block(
        key="exclusions",
        heading=heading,
        table=table,
        words=["A case can be left out of more than one draw, and is counted in each."],
    )


def _people(scope: ReportScope) -> Block:
    """How many auditors and moderators took part: numbers, never names. Two queries."""
    audits = audits_in_scope(scope)
    auditors = audits.exclude(auditor=None).values("auditor_id").distinct().count()
    moderators = (
        Moderation.objects.filter(
            audit__cycle_link__cycle=scope.cycle,
            audit__team__service_id__in=scope.service_ids,
            regraded_at__isnull=False,
        )
        .exclude(moderator=None)
        .values("moderator_id")
        .distinct()
        .count()
    )
    words = [
        f"{_plural(auditors, 'auditor')} completed the audits that count in this review, "
        f"and {_plural(moderators, 'moderator')} regraded audits of the cycle."
    ]
    return Block(key="auditors-and-moderators", heading="Auditors and moderators", words=words)


# 5. Quality ---------------------------------------------------------------------------------


def quality_section(scope: ReportScope) -> Section:
    return Section(
        key="quality",
        heading="5. Quality",
        words=[
            "The graded quality judgements by domain, and the strengths and areas to develop "
            "the auditors' learning points show, by theme."
        ],
        blocks=[
            *_figures(figures.grades_by_domain, scope, "grades-by-domain", "Grades by domain"),
            _strengths(scope),
            *_figures(figures.themes, scope, "themes", "Themes"),
        ],
    )


def _strengths(scope: ReportScope) -> Block:
    """The themes most often marked good practice (strengths) and area for development, with
    how many learning points carry each, small counts left out for the committee. One query."""
    ids = list(audits_in_scope(scope).values_list("id", flat=True))
    counts = (
        LearningPoint.objects.filter(audit_id__in=ids, themes__isnull=False)
        .values("themes__name", "kind")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    by_kind: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in counts:
        by_kind[row["kind"]].append((row["n"], row["themes__name"]))
    heading = "Strengths and areas to develop"
    if not by_kind:
        return Block(
            key="strengths",
            heading=heading,
            words=["No learning point of this cycle's audits has a theme yet."],
        )
    words = []
    for kind, label in (
        (LearningPointKind.GOOD_PRACTICE, "Strengths"),
        (LearningPointKind.CONCERN, "Areas to develop"),
    ):
        top = sorted(by_kind.get(kind, []), key=lambda t: (-t[0], t[1]))[:3]
        if not top:
            words.append(f"{label}: no learning point of this kind has a theme.")
            continue
        listed = "; ".join(f"{name} ({_count(n, scope)})" for n, name in top)
        words.append(f"{label} (the themes most often marked): {listed}.")
    return Block(key="strengths", heading=heading, words=words)


def _count(n: int, scope: ReportScope) -> str:
    if scope.small_counts and 0 < n < small_group_min():
        return f"fewer than {small_group_min()} learning points"
    return _plural(n, "learning point")


# 6. Thematic and deep-dive findings ---------------------------------------------------------


THEMATIC_TYPES = (AuditType.THEMATIC, AuditType.DEEP_DIVE)


def thematic_section(scope: ReportScope) -> Section:
    """The thematic and deep-dive audits of the cycle: how many, their grades that count, by
    theme. No case text. Three queries."""
    audits = audits_in_scope(scope).filter(audit_type__in=THEMATIC_TYPES)
    sizes = {
        (row["audit_type"], row["theme"]): (row["n"], row["people"])
        for row in audits.values("audit_type", "theme")
        .annotate(n=Count("pk"), people=Count("practitioner", distinct=True))
        .order_by()
    }
    section = Section(
        key="thematic",
        heading="6. Thematic and deep-dive findings",
        words=["The cycle's thematic audits and deep dives: how many, and their grades by theme."],
    )
    if not sizes:
        section.blocks.append(
            Block(
                key="thematic",
                heading="Thematic audits and deep dives",
                words=["No thematic audit or deep dive of this cycle has been submitted."],
            )
        )
        return section
    counts = (
        audits.annotate(counted=overall_grade_counted("id"))
        .exclude(counted=None)
        .values("tool_version__grading_scale_id", "audit_type", "theme", "counted")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_scale: dict[int, dict[tuple[str, str], dict[int, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for row in counts:
        by_scale[row["tool_version__grading_scale_id"]][(row["audit_type"], row["theme"])][
            row["counted"]
        ] = row["n"]
    total = sum(n for n, _ in sizes.values())
    by_type: dict[str, int] = defaultdict(int)
    for (kind, _), (n, _) in sizes.items():
        by_type[kind] += n
    types = ", ".join(
        f"{_count_words(by_type[t], scope)} {AuditType(t).label.lower()}"
        for t in THEMATIC_TYPES
        if by_type[t]
    )
    section.words.append(
        f"{_count_words(total, scope)} {'audit' if total == 1 else 'audits'} submitted: {types}."
    )
    if not by_scale:
        section.blocks.append(
            Block(
                key="thematic",
                heading="Thematic audits and deep dives",
                words=["None of them has an overall grade."],
            )
        )
        return section
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=list(by_scale)).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    for index, scale in enumerate(sorted(by_scale)):
        scale_grades = grades[scale]
        keys = sorted(by_scale[scale], key=lambda k: (k[0], k[1].lower()))
        table = figure_table(
            caption="Thematic audits and deep dives: overall grades by theme",
            row_heading="Theme",
            columns=[g.label for g in scale_grades],
            rows=[
                (
                    f"{AuditType(kind).label}: {theme or 'no theme given'}",
                    [by_scale[scale][(kind, theme)].get(g.pk, 0) for g in scale_grades],
                )
                for kind, theme in keys
            ],
            row_groups=[sizes[k][0] for k in keys],
            row_people=[sizes[k][1] for k in keys],
            total_heading="Audits with an overall grade",
            derived_heading=f"Share {GOOD_OR_BETTER.lower()}",
            derive=_good_share(scale_grades),
            small_counts=scope.small_counts,
        )
        key = "thematic" if index == 0 else f"thematic-{index + 1}"
        section.blocks.append(Block(key=key, heading="Thematic audits and deep dives", table=table))
    return section


def _count_words(n: int, scope: ReportScope) -> str:
    if scope.small_counts and 0 < n < small_group_min():
        return f"fewer than {small_group_min()}"
    return str(n)


# 7. Safeguarding ----------------------------------------------------------------------------


def safeguarding_section(scope: ReportScope) -> Section:
    return Section(
        key="safeguarding",
        heading="7. Safeguarding",
        words=[
            "Escalations raised from audits and what came of them, the audits graded "
            "Inadequate, revisit outcomes and overdue actions."
        ],
        blocks=[
            _escalations(scope),
            _inadequate(scope),
            *_figures(figures.revisit_outcomes, scope, "revisits", "Revisit outcomes"),
            *_figures(figures.overdue_actions, scope, "actions", "Actions"),
        ],
    )


def _escalations(scope: ReportScope) -> Block:
    """Escalations raised on the cycle's audits (whatever the audit's status: a child unsafe
    is raised while auditing), by team or service: acknowledged with a response, or still
    open. Two queries."""
    group = _group_field(scope, "audit__")
    escalations = Escalation.objects.filter(
        audit__cycle_link__cycle=scope.cycle, audit__team__service_id__in=scope.service_ids
    )
    if scope.team_ids is not None:
        escalations = escalations.filter(audit__team_id__in=scope.team_ids)
    rows = (
        escalations.values(group)
        .annotate(
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            waiting=Count("pk", filter=Q(acknowledged_at__isnull=True)),
        )
        .order_by()
    )
    by_group = {r[group]: (r["acknowledged"], r["waiting"]) for r in rows}
    heading = "Escalations"
    if not by_group:
        return Block(
            key="escalations",
            heading=heading,
            words=["No audit of this cycle raised an escalation (a child unsafe)."],
        )
    names = _group_names(scope)
    groups = sorted(by_group, key=lambda g: names.get(g, ""))
    table = figure_table(
        caption="Escalations raised from the cycle's audits, and their outcome",
        row_heading=_row_heading(scope),
        columns=["Acknowledged, with a response", "Not yet acknowledged"],
        rows=[(names.get(g, ""), list(by_group[g])) for g in groups],
        total_heading="Escalations raised",
        small_counts=scope.small_counts,
    )
    return Block(key="escalations", heading=heading, table=table)


def _inadequate(scope: ReportScope) -> Block:
    """Audits whose grade that counts is Inadequate, by team or service, and how many of them
    the auditor graded so and moderation confirmed or changed. One query."""
    group = _group_field(scope)
    audits = audits_in_scope(scope)
    rows = (
        audits.alias(bad=overall_grade_counted("is_inadequate"))
        .filter(bad=True)
        .values(group)
        .annotate(
            n=Count("pk"),
            moderated=Count("pk", filter=Q(agreed_overall_grade__isnull=False)),
        )
        .order_by()
    )
    by_group = {r[group]: (r["n"] - r["moderated"], r["moderated"]) for r in rows}
    heading = "Audits graded Inadequate"
    if not by_group:
        return Block(
            key="inadequate",
            heading=heading,
            words=["No audit of this cycle has Inadequate as the grade that counts."],
        )
    names = _group_names(scope)
    groups = sorted(by_group, key=lambda g: names.get(g, ""))
    table = figure_table(
        caption="Audits graded Inadequate (the grade that counts)",
        row_heading=_row_heading(scope),
        columns=["Auditor's grade", "Agreed in moderation"],
        rows=[(names.get(g, ""), list(by_group[g])) for g in groups],
        total_heading="Audits graded Inadequate",
        small_counts=scope.small_counts,
    )
    return Block(
        key="inadequate",
        heading=heading,
        table=table,
        words=["Each schedules a revisit of the child's case; their outcomes follow."],
    )


# 8. Learning and workforce ------------------------------------------------------------------


def learning_section(scope: ReportScope) -> Section:
    return Section(
        key="learning",
        heading="8. Learning and workforce",
        words=[
            "The briefings published from the cycle's audits, the training needs they raised "
            "and whether they were met, the training held, and its impact where it was measured."
        ],
        blocks=[_briefings(scope), _training_needs(scope), *_training_events(scope)],
    )


def _briefings(scope: ReportScope) -> Block:
    """Key messages (7-minute briefings) published for the cycle, by whom they are for. One
    query."""
    rows = (
        KeyMessage.objects.filter(cycle=scope.cycle, status=KeyMessageStatus.PUBLISHED)
        .filter(Q(service__isnull=True) | Q(service_id__in=scope.service_ids))
        .aggregate(
            whole=Count("pk", filter=Q(service__isnull=True, team__isnull=True)),
            service=Count("pk", filter=Q(service__isnull=False, team__isnull=True)),
            team=Count("pk", filter=Q(team__isnull=False)),
        )
    )
    total = rows["whole"] + rows["service"] + rows["team"]
    heading = "Briefings published"
    if not total:
        return Block(
            key="briefings",
            heading=heading,
            words=["No key message (7-minute briefing) has been published for this cycle."],
        )
    return Block(
        key="briefings",
        heading=heading,
        words=[
            f"{total} key {
                'message (7-minute briefing) was'
                if total == 1
                else 'messages (7-minute briefings) were'
            } published for this cycle: "
            f"{rows['whole']} for every service, {rows['service']} for a service and "
            f"{rows['team']} for a team."
        ],
    )


NEED_COLUMNS = (
    (TrainingNeedStatus.OPEN, "Open"),
    (TrainingNeedStatus.PLANNED, "Training planned"),
    (TrainingNeedStatus.MET, "Met"),
    (TrainingNeedStatus.DISMISSED, "Dismissed"),
)


def _needs(scope: ReportScope) -> QuerySet[TrainingNeed]:
    needs = TrainingNeed.objects.filter(cycle=scope.cycle, team__service_id__in=scope.service_ids)
    if scope.team_ids is not None:
        needs = needs.filter(team_id__in=scope.team_ids)
    return needs


def _training_needs(scope: ReportScope) -> Block:
    """Training needs the cycle's audits raised, by team or service and status. One query."""
    group = _group_field(scope)
    rows = _needs(scope).values(group, "status").annotate(n=Count("pk")).order_by()
    by_group: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        by_group[row[group]][row["status"]] = row["n"]
    heading = "Training needs"
    if not by_group:
        return Block(
            key="training-needs",
            heading=heading,
            words=["The cycle's audits raised no training need."],
        )
    names = _group_names(scope)
    groups = sorted(by_group, key=lambda g: names.get(g, ""))
    table = figure_table(
        caption="Training needs raised from the cycle's audits, and whether they were met",
        row_heading=_row_heading(scope),
        columns=[label for _, label in NEED_COLUMNS],
        rows=[
            (names.get(g, ""), [by_group[g].get(status, 0) for status, _ in NEED_COLUMNS])
            for g in groups
        ],
        total_heading="Needs raised",
        small_counts=scope.small_counts,
    )
    return Block(key="training-needs", heading=heading, table=table)


def _training_events(scope: ReportScope) -> list[Block]:
    """Training events held for the cycle's needs, with attendance numbers: how many events,
    how many attendances, how many people. Two queries."""
    events = TrainingEvent.objects.filter(needs__in=_needs(scope)).distinct()
    event_ids = list(events.values_list("pk", flat=True))
    heading = "Training held"
    if not event_ids:
        return [
            Block(
                key="training-events",
                heading=heading,
                words=["No training event has been recorded against the cycle's training needs."],
            )
        ]
    attendance = TrainingAttendance.objects.filter(event_id__in=event_ids).aggregate(
        n=Count("pk"), people=Count("staff_id", distinct=True)
    )
    today = timezone.localdate()
    held = len(event_ids)
    words = [
        f"{_plural(held, 'training event')} recorded against the cycle's training needs, "
        f"with {_plural(attendance['n'], 'attendance')} by "
        f"{_plural(attendance['people'], 'member of staff', 'members of staff')}.",
        f"Training impact is measured on each event's page (grades before and after, against "
        f"those who did not attend); as of {_day(today)} the review gives the numbers only.",
    ]
    return [Block(key="training-events", heading=heading, words=words)]


# 9. Next six months -------------------------------------------------------------------------


def next_cycle(cycle: Cycle) -> Cycle | None:
    """The next cycle of any of the same services, planned to start after this one did."""
    return (
        Cycle.objects.filter(services__in=cycle.services.all(), starts_on__gt=cycle.starts_on)
        .exclude(pk=cycle.pk)
        .distinct()
        .order_by("starts_on", "id")
        .first()
    )


def next_section(scope: ReportScope) -> Section:
    """The next cycle of these services if one is planned: its dates, tools and quotas. Three
    queries."""
    section = Section(key="next", heading="9. Next six months")
    upcoming = next_cycle(scope.cycle)
    if upcoming is None:
        section.words.append("No next cycle of these services is planned yet.")
        return section
    tools = sorted(
        f"{version.tool.name} (version {version.number})"
        for version in upcoming.tools.select_related("tool")
    )
    quotas = list(Quota.objects.filter(cycle=upcoming).order_by("kind", "audit_type", "id"))
    section.words.append(
        f"{upcoming.name} runs from {_day(upcoming.starts_on)} to {_day(upcoming.ends_on)}."
    )
    section.words.append("Audit tools: " + ("; ".join(tools) if tools else "none chosen yet") + ".")
    types = upcoming.audit_type_labels()
    if types:
        section.words.append("Types of audit: " + ", ".join(t.lower() for t in types) + ".")
    if quotas:
        section.words.extend(
            f"{quota.who}: {quota.per_month} {quota.get_audit_type_display().lower()} "
            f"{'audit' if quota.per_month == 1 else 'audits'} a month."
            for quota in quotas
        )
    else:
        section.words.append("No quota has been set for it yet.")
    section.words.append(
        f"Moderation: every Inadequate and Outstanding audit and {upcoming.moderation_percent}% "
        f"of the rest; Inadequate audits revisited after {upcoming.revisit_weeks} weeks."
    )
    return section
