"""The six-month cycle review's sections, in the order of the report to the Improvement Board
(`shared/practice/audit-tools.md` §5): summary, activity, moderation, compliance, quality,
thematic and deep-dive findings, safeguarding, learning and workforce, the child's and
family's view, the audit tool, next six months.

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
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Value
from django.utils import timezone

from auditloop.accounts.models import Role, Team
from auditloop.assurance.models import Moderation
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.models import SHARED_STATUSES, Audit, AuditType, Escalation, Grade
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
from auditloop.learning.redaction.engine import redactor_for_database
from auditloop.learning.rules.training_impact import (
    OBSERVATIONAL,
    effect_words,
    impact_compare,
)
from auditloop.learning.selectors.key_message_texts import reviewer_changes
from auditloop.learning.selectors.team_picture import (
    GOOD_OR_BETTER,
    _good_share,
    figure_table,
    small_group_min,
)
from auditloop.learning.selectors.training import impact_data
from auditloop.reports.blocks import Block, Chart, FigureTable, Section
from auditloop.reports.selectors import figures
from auditloop.reports.selectors.figures.experience import experience_blocks
from auditloop.reports.selectors.figures.parts import scope_group_names
from auditloop.reports.selectors.scope import BLIND, ReportScope, audits_in_scope
from auditloop.sampling.models import Cycle, Quota, SampleDraw

KEY_MESSAGES_SHOWN = 3
# How the trend marks the review's own cycle among the cycles it shows.
THIS_CYCLE = "(this cycle)"
# Training events whose impact the review reports: the cycle's most recent few held (each is
# its own comparison, of four queries; the training pages hold them all).
IMPACT_EVENTS = 3
# The size given to a team or service with figures but no audit that counts: one audit of one
# person's case, so that the small-group rule withholds its row (a size of none would not).
NONE_COUNTED = (1, 1)


def cycle_review_sections(scope: ReportScope) -> list[Section]:
    """The eleven sections of the review of `scope.cycle`, in order."""
    return [
        summary_section(scope),
        activity_section(scope),
        Section(
            key="moderation",
            heading="3. Moderation",
            words=[
                "How many audits were moderated, the grades moderation changed, and how far "
                "auditors and moderators agreed."
            ],
            blocks=figures.moderation(scope),
        ),
        Section(
            key="compliance",
            heading="4. Compliance",
            words=[
                "How often each compliance check was met, and the share of quality judgements "
                "against compliance checks across cycles (the shift from compliance to quality)."
            ],
            blocks=[
                *figures.compliance_by_check(scope),
                *figures.quality_share(scope),
            ],
        ),
        quality_section(scope),
        _with_agencies(thematic_section(scope), scope),
        safeguarding_section(scope),
        learning_section(scope),
        family_section(scope),
        tool_section(scope),
        next_section(scope),
    ]


def _group_field(scope: ReportScope, prefix: str = "") -> str:
    return f"{prefix}team_id" if scope.names_teams else f"{prefix}team__service_id"


def _group_names(scope: ReportScope) -> dict[int, str]:
    """Every team (leaders) or service (committee) of the scope, by id, whether or not it has
    figures. One query, shared with the figures."""
    return dict(scope_group_names(scope))


def _group_sizes(scope: ReportScope) -> dict[int, tuple[int, int]]:
    """How many audits that count, and of how many people's cases, lie behind each team
    (leaders) or service (committee) of the scope: the sizes the small-group rule is applied
    to, as in the overall grades, so that no block shows a row those grades withhold. One
    query."""
    group = _group_field(scope)
    return {
        row[group]: (row["n"], row["people"])
        for row in audits_in_scope(scope)
        .values(group)
        .annotate(n=Count("pk"), people=Count("practitioner", distinct=True))
        .order_by()
    }


def _sized_table(scope: ReportScope, groups: list[int], **kwargs: Any) -> FigureTable:
    """`figure_table` of rows by team or service (`groups`), with the small-group rule applied
    to the audits and people behind each (`_group_sizes`), and the scope's small counts. A
    team or service with figures here (an escalation on an audit still in progress) but no
    audit that counts has fewer audits behind it than the rule allows: its row is withheld."""
    sizes = _group_sizes(scope)
    behind = [sizes.get(g, NONE_COUNTED) for g in groups]
    return figure_table(
        **kwargs,
        row_groups=[audits for audits, _ in behind],
        row_people=[people for _, people in behind],
        small_counts=scope.small_counts,
        small_groups=not scope.is_own,
    )


def _row_heading(scope: ReportScope) -> str:
    return "Team" if scope.names_teams else "Service"


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# 1. Summary ---------------------------------------------------------------------------------


def summary_section(scope: ReportScope) -> Section:
    blocks = figures.grades_overall(scope)
    trend = figures.trend(scope)
    if trend and trend[0].chart is not None:
        trend[0] = replace(trend[0], words=[*against_last_words(trend[0].chart), *trend[0].words])
    blocks.extend(trend)
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


def against_last_words(chart: Chart) -> list[str]:
    """This cycle's share Inadequate and share Good or better against the last cycle's, in
    words, from the trend's chart (its first two series, one point a cycle, None where its
    table suppresses the figures)."""
    labels = chart.categories
    this = next((i for i, label in enumerate(labels) if label.endswith(THIS_CYCLE)), None)
    inadequate, good = chart.series[0].values, chart.series[1].values
    if this is None:
        return ["This cycle has no overall grades yet to set against the last."]
    if inadequate[this] is None or good[this] is None:
        return [
            "This cycle's shares are not shown (too few audits to show them without "
            "identifying anyone), so they are not set against the last cycle's."
        ]
    words = [f"This cycle: {_pct(inadequate[this])} Inadequate, {_pct(good[this])} Good or better."]
    if this == 0:
        words.append("There is no earlier cycle of these services with grades to compare with.")
        return words
    last = labels[this - 1]
    if inadequate[this - 1] is None or good[this - 1] is None:
        words.append(f"The last cycle ({last}) had too few audits with a grade to compare with.")
        return words
    words.append(
        f"The last cycle ({last}): {_pct(inadequate[this - 1])} Inadequate, "
        f"{_pct(good[this - 1])} Good or better. Inadequate "
        f"{_change(inadequate[this], inadequate[this - 1])}; Good or better "
        f"{_change(good[this], good[this - 1])}."
    )
    return words


def _pct(value: float | None) -> str:
    return "not shown" if value is None else f"{_whole(value)}%"


def _whole(value: float) -> int:
    # Halves rounded up, as the tables' percentages are.
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _change(now: float | None, then: float | None) -> str:
    if now is None or then is None:
        return "cannot be compared"
    difference = _whole(now) - _whole(then)
    if difference == 0:
        return "unchanged"
    direction = "up" if difference > 0 else "down"
    return (
        f"{direction} {abs(difference)} percentage {'point' if abs(difference) == 1 else 'points'}"
    )


def _key_messages(scope: ReportScope) -> Block:
    """The cycle's published key messages, their published (redacted) text: the first three,
    the whole cycle's first, then a service's, then (leaders only) a team's. Each passes
    through the redactor once more, as the database's names stand now (a member of staff who
    joined since it was published); the committee's puts any team's name as "[team]"."""
    messages = KeyMessage.objects.filter(
        cycle=scope.cycle, status=KeyMessageStatus.PUBLISHED
    ).filter(Q(service__isnull=True) | Q(service_id__in=scope.service_ids))
    if not scope.names_teams:
        messages = messages.filter(team__isnull=True)
    # The database orders by date; the sort (stable) puts the whole cycle's first, then a
    # service's, then a team's, the same on every database.
    chosen = sorted(
        messages.only(
            "published_text", "redaction_added", "redaction_kept", "team_id", "service_id"
        ).order_by("published_at", "id"),
        key=lambda m: (m.team_id is not None, m.service_id is not None),
    )[:KEY_MESSAGES_SHOWN]
    texts = [_published(message) for message in chosen]
    if chosen:
        redactor = redactor_for_database()
        teams = [] if scope.names_teams else list(_team_names_of(scope))
        for index, message in enumerate(chosen):
            added, kept = reviewer_changes(message)
            texts[index] = (
                _scrub(redactor.redact(texts[index][0], added=added, kept=kept).redacted, teams),
                _scrub(redactor.redact(texts[index][1], added=added, kept=kept).redacted, teams),
            )
    words = [
        f"{number}. {title}" + (f": {found}" if found else "")
        for number, (title, found) in enumerate(texts, start=1)
    ]
    if len(chosen) < KEY_MESSAGES_SHOWN:
        words.append(
            "No key message has been published for this cycle yet: the review gives the first "
            f"{KEY_MESSAGES_SHOWN} published (from the Key messages pages)."
            if not chosen
            else f"Only {_plural(len(chosen), 'key message has', 'key messages have')} been "
            f"published for this cycle so far: the review gives the first {KEY_MESSAGES_SHOWN} "
            "published (from the Key messages pages)."
        )
    return Block(key="key-messages", heading="Key messages", words=words)


def free_text(scope: ReportScope) -> Callable[[str], str]:
    """How a short text someone wrote (an audit's theme, a training event's title) is put in
    the review: through the redactor (a name of staff, a child's ID), and for the committee
    with any team's name as "[team]". The redactor is built on first use."""
    teams: list[str] | None = None

    def clean(text: str) -> str:
        nonlocal teams
        if teams is None:
            teams = [] if scope.names_teams else list(_team_names_of(scope))
        return _scrub(redactor_for_database().redact(text).redacted, teams)

    return clean


def _published(message: KeyMessage) -> tuple[str, str]:
    """The title and "what we found" as published: never the draft's own words."""
    text = message.published_text or {}
    return (
        str(text.get("title") or "Key message"),
        str(text.get("what_we_found") or ""),
    )


def _team_names_of(scope: ReportScope) -> QuerySet[Team, str]:
    return Team.objects.filter(service_id__in=scope.service_ids).values_list("name", flat=True)


def _scrub(text: str, names: list[str]) -> str:
    """A text with any team's name put as "[team]", for the committee."""
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
            *figures.progress(scope),
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
            *figures.grades_by_domain(scope),
            _strengths(scope),
            *figures.themes(scope),
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
# The rows of the findings by agency: the council's own auditors, and a partner agency whose
# auditors' logins record no organisation.
COUNCIL_AGENCY = "The council's auditors"
UNNAMED_AGENCY = "A partner agency (not recorded)"


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
    if not by_scale:
        section.words.append(_submitted_words(sizes, set(), scope))
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
    clean = free_text(scope)
    # The types with a row some table withholds.
    withheld: set[str] = set()
    for index, scale in enumerate(sorted(by_scale)):
        scale_grades = grades[scale]
        keys = sorted(by_scale[scale], key=lambda k: (k[0], k[1].lower()))
        table = figure_table(
            caption="Thematic audits and deep dives: overall grades by theme",
            row_heading="Theme",
            columns=[g.label for g in scale_grades],
            rows=[
                (
                    f"{AuditType(kind).label}: {clean(theme) if theme else 'no theme given'}",
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
        withheld.update(
            kind
            for (kind, _), row in zip(keys, table.rows, strict=True)
            if row.total is None or row.total.suppressed
        )
        key = "thematic" if index == 0 else f"thematic-{index + 1}"
        section.blocks.append(Block(key=key, heading="Thematic audits and deep dives", table=table))
    section.words.append(_submitted_words(sizes, withheld, scope))
    return section


def _submitted_words(
    sizes: dict[tuple[str, str], tuple[int, int]], withheld: set[str], scope: ReportScope
) -> str:
    """How many thematic audits and deep dives were submitted, a number for each type only
    where it gives nothing away: never for a type with a row its table withholds (the type's
    number less the rows shown would give that row), nor, where the scope suppresses small
    counts, a number below the small-group threshold; and the whole number only where each
    type's is given (else it less the others would give the one withheld)."""
    by_type: dict[str, int] = defaultdict(int)
    for (kind, _), (n, _) in sizes.items():
        by_type[kind] += n
    kinds = [t for t in THEMATIC_TYPES if by_type[t]]
    given = {
        t
        for t in kinds
        if t not in withheld and not (scope.small_counts and by_type[t] < small_group_min())
    }
    if set(kinds) == given:
        total = sum(by_type.values())
        types = ", ".join(f"{by_type[t]} {AuditType(t).label.lower()}" for t in kinds)
        return f"{_plural(total, 'audit')} submitted: {types}."
    types = ", ".join(
        f"{by_type[t]} {AuditType(t).label.lower()}"
        if t in given
        else f"{AuditType(t).label.lower()} (how many is not given)"
        for t in kinds
    )
    return (
        f"Thematic audits and deep dives were submitted: {types}. A number is not given "
        "where, set against the table, it would show figures withheld to protect small groups."
    )


def _with_agencies(section: Section, scope: ReportScope) -> Section:
    """The thematic section with, where partner agencies audited the cycle's thematic audits'
    cases, their findings by agency."""
    section.blocks.extend(agency_blocks(scope))
    return section


def agency_blocks(scope: ReportScope) -> list[Block]:
    """Multi-agency thematic audits: the overall grades each partner agency's auditors gave
    the cases of the cycle's thematic audits, beside the council's own audits of the same
    cases, one row per agency (named by the organisation recorded on its auditors' logins),
    with small groups suppressed by the one rule. None when no partner audited them. A
    partner's audit is not planned in the cycle: it is found by its case. Five queries."""
    council = audits_in_scope(scope).filter(audit_type=AuditType.THEMATIC)
    partners = (
        Audit.objects.filter(
            audit_type=AuditType.THEMATIC,
            status__in=SHARED_STATUSES,
            auditor__role=Role.PARTNER,
            team__service_id__in=scope.service_ids,
            case_id__in=council.values("case_id"),
        )
        .exclude(pk__in=Audit.objects.filter(BLIND).values("pk"))
        .exclude(pk__in=council.values("pk"))
    )
    if scope.reader is not None:
        partners = partners.filter(audit_visibility_filter(scope.reader))
    shared = council.filter(case_id__in=partners.values("case_id"))
    rows: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    sizes: dict[tuple[int, str], tuple[int, int]] = {}
    for audits, agency in (
        (shared.annotate(agency=Value(COUNCIL_AGENCY)), "agency"),
        (partners, "auditor__user__organisation"),
    ):
        counted = audits.annotate(counted=overall_grade_counted("id")).exclude(counted=None)
        for row in (
            counted.values("tool_version__grading_scale_id", agency)
            .annotate(n=Count("pk"), people=Count("practitioner", distinct=True))
            .order_by()
        ):
            key = (row["tool_version__grading_scale_id"], row[agency] or UNNAMED_AGENCY)
            sizes[key] = (row["n"], row["people"])
        for row in (
            counted.values("tool_version__grading_scale_id", agency, "counted")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            key = (row["tool_version__grading_scale_id"], row[agency] or UNNAMED_AGENCY)
            rows[key][row["counted"]] = row["n"]
    if not any(name != COUNCIL_AGENCY for _, name in rows):
        return []
    scales = sorted({scale for scale, _ in rows})
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=scales).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    blocks = []
    for index, scale in enumerate(scales):
        keys = sorted(
            (k for k in rows if k[0] == scale), key=lambda k: (k[1] != COUNCIL_AGENCY, k[1])
        )
        table = figure_table(
            caption="Multi-agency thematic audits: overall grades by agency",
            row_heading="Agency",
            columns=[g.label for g in grades[scale]],
            rows=[(k[1], [rows[k].get(g.pk, 0) for g in grades[scale]]) for k in keys],
            row_groups=[sizes[k][0] for k in keys],
            row_people=[sizes[k][1] for k in keys],
            total_heading="Audits with an overall grade",
            derived_heading=f"Share {GOOD_OR_BETTER.lower()}",
            derive=_good_share(grades[scale]),
            small_counts=scope.small_counts,
        )
        blocks.append(
            Block(
                key="agencies" if index == 0 else f"agencies-{index + 1}",
                heading="Findings by agency",
                words=[
                    "The cases of the cycle's thematic audits that partner agencies audited "
                    "too: each agency's overall grades beside the council's own audits of them."
                ],
                table=table,
            )
        )
    return blocks


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
            *figures.revisit_outcomes(scope),
            *figures.overdue_actions(scope),
        ],
    )


def _escalations(scope: ReportScope) -> Block:
    """Escalations raised on the cycle's audits (whatever the audit's status: a child unsafe
    is raised while auditing), by team or service: acknowledged with a response, or still
    open. Three queries."""
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
    table = _sized_table(
        scope,
        groups,
        caption="Escalations raised from the cycle's audits, and their outcome",
        row_heading=_row_heading(scope),
        columns=["Acknowledged, with a response", "Not yet acknowledged"],
        rows=[(names.get(g, ""), list(by_group[g])) for g in groups],
        total_heading="Escalations raised",
    )
    return Block(key="escalations", heading=heading, table=table)


def _inadequate(scope: ReportScope) -> Block:
    """Audits whose grade that counts is Inadequate, by team or service, and how many of them
    the auditor graded so and moderation confirmed or changed. Three queries."""
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
    table = _sized_table(
        scope,
        groups,
        caption="Audits graded Inadequate (the grade that counts)",
        row_heading=_row_heading(scope),
        columns=["Auditor's grade", "Agreed in moderation"],
        rows=[(names.get(g, ""), list(by_group[g])) for g in groups],
        total_heading="Audits graded Inadequate",
    )
    return Block(
        key="inadequate",
        heading=heading,
        table=table,
        words=["Audits graded Inadequate are revisited: the revisit outcomes follow."],
    )


# 8. Learning and workforce ------------------------------------------------------------------


def learning_section(scope: ReportScope) -> Section:
    return Section(
        key="learning",
        heading="8. Learning and workforce",
        words=[
            "The briefings published from the cycle's audits, the training needs they raised "
            "and whether they were met, the training held, and its impact where it was measured.",
            "Then how practitioners found being audited: when an audit is completed, its "
            "practitioner (and, for a deep dive, the manager who took part) is asked whether it "
            "was supportive, whether the feedback was useful and whether the auditor worked "
            "alongside them. Answers carry no name and are counted by service, type of audit "
            "and cycle; small numbers are not shown.",
        ],
        blocks=[
            _briefings(scope),
            _training_needs(scope),
            *_training_events(scope),
            *experience_blocks(scope),
        ],
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
    """Training needs the cycle's audits raised, by team or service and status. Three
    queries."""
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
    table = _sized_table(
        scope,
        groups,
        caption="Training needs raised from the cycle's audits, and whether they were met",
        row_heading=_row_heading(scope),
        columns=[label for _, label in NEED_COLUMNS],
        rows=[
            (names.get(g, ""), [by_group[g].get(status, 0) for status, _ in NEED_COLUMNS])
            for g in groups
        ],
        total_heading="Needs raised",
    )
    return Block(key="training-needs", heading=heading, table=table)


def _training_events(scope: ReportScope) -> list[Block]:
    """Training events held for the cycle's needs, with attendance numbers, and the impact of
    the most recent few held long enough ago to measure (the training pages hold the rest).
    Three queries, and four for each event whose impact is measured."""
    events = list(
        TrainingEvent.objects.filter(needs__in=_needs(scope))
        .distinct()
        .select_related("question", "theme")
        .order_by("-held_on", "-id")
    )
    heading = "Training held"
    if not events:
        return [
            Block(
                key="training-events",
                heading=heading,
                words=["No training event has been recorded against the cycle's training needs."],
            )
        ]
    attendance = TrainingAttendance.objects.filter(event__in=events).aggregate(
        n=Count("pk"), people=Count("staff_id", distinct=True)
    )
    today = timezone.localdate()
    held = [e for e in events if e.held_on < today]
    words = [
        f"{_plural(len(events), 'training event')} recorded against the cycle's training needs"
        f" ({len(held)} held so far), with {_plural(attendance['n'], 'attendance')} by "
        f"{_plural(attendance['people'], 'member of staff', 'members of staff')}."
    ]
    return [
        Block(key="training-events", heading=heading, words=words),
        _training_impact(scope, held[:IMPACT_EVENTS], today),
    ]


def _event_label(event: TrainingEvent, scope: ReportScope) -> str:
    """The committee's version names an event by its date and subject, not its title (which
    is free text and could name a trainer or a team)."""
    if scope.names_teams:
        return f"{free_text(scope)(event.title)} ({_day(event.held_on)})"
    subject = (
        f" on {event.theme.name}"
        if event.theme is not None
        else f" on {event.question.code}"
        if event.question is not None
        else ""
    )
    return f"The training of {_day(event.held_on)}{subject}"


def _training_impact(
    scope: ReportScope, events: list[TrainingEvent], today: datetime.date
) -> Block:
    """For each event: the attendees' change in grades against those who did not attend (the
    difference in differences and the effect size, with their intervals), as the event's
    impact page works it out, only where every count behind it may be shown."""
    heading = "Training impact"
    if not events:
        return Block(
            key="training-impact",
            heading=heading,
            words=["No training against the cycle's needs has been held yet, so none is measured."],
        )
    threshold = small_group_min()
    words = []
    for event in events:
        data = impact_data(event, today=today)
        impact = impact_compare(
            data.attendees, data.others, places=len(data.labels), threshold=threshold
        )
        label = _event_label(event, scope)
        if impact.difference is None or impact.effect is None or impact.too_few:
            words.append(
                f"{label}: too few audits before and after it to say whether it made a difference."
            )
            continue
        interval = (
            f" (95% interval {impact.difference_interval[0]:.2f} to "
            f"{impact.difference_interval[1]:.2f})"
            if impact.difference_interval
            else ""
        )
        words.append(
            f"{label}: the attendees' grades moved {impact.difference:+.2f} grade places "
            f"against those who did not attend{interval}; effect size "
            f"{impact.effect:+.2f}, {effect_words(impact.effect)}."
        )
    words.append(OBSERVATIONAL)
    return Block(key="training-impact", heading=heading, words=words)


# 9. The child's and family's view -----------------------------------------------------------


def family_section(scope: ReportScope) -> Section:
    return Section(
        key="family",
        heading="9. The child's and family's view",
        words=[
            "Whom the audits heard, what children, young people and their families said about "
            "the help they had, by cohort and by "
            + ("team" if scope.names_teams else "service")
            + ", and whether their view of what changed agrees with the auditor's judgement."
        ],
        blocks=figures.family_view(scope),
    )


# 10. The audit tool --------------------------------------------------------------------------


def tool_section(scope: ReportScope) -> Section:
    return Section(
        key="tool",
        heading="10. The audit tool",
        words=[
            "The tool and its use, question by question: how often each was answered Not "
            "applicable, the spread of its answers, and which questions moderation changed most."
        ],
        blocks=figures.tool_use(scope),
    )


# 11. Next six months ------------------------------------------------------------------------


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
    section = Section(key="next", heading="11. Next six months")
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
