"""A team's picture for a cycle: grades by domain, the overall grades, compliance by check,
themes, and the trend across cycles. Figures for the group only, never an individual's grade;
small groups and small counts suppressed (`auditloop.learning.rules.suppression`).

Only audits that count are counted: submitted or completed (a draft has no grade yet), never
a calibration audit (an exercise, not a judgement on anyone's practice), and the grade that
counts is the agreed one after moderation. An audit its reader is moderating blind is left
out of what they read until they have regraded it (the moderation blind: a figure with it
and one without would tell them its grades). Each table is one or two aggregate queries,
however many audits the team has.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from auditloop.accounts.models import StaffMember, Team
from auditloop.audits.access.audits import grades_hidden_filter
from auditloop.audits.models import (
    SHARED_STATUSES,
    Answer,
    Audit,
    AuditTool,
    ComplianceAnswer,
    Grade,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.audits.selectors.audits import (
    answer_grade_counted,
    audits_matching,
    overall_grade_counted,
)
from auditloop.imports.values import neutralise
from auditloop.learning.models import LearningPoint, LearningPointKind
from auditloop.learning.rules.suppression import (
    MIN_PEOPLE,
    SUPPRESSED_GROUP_NOTE,
    SUPPRESSED_MARK,
    group_suppressed,
    suppress_table,
)
from auditloop.sampling.models import Cycle

# How many cycles the trend goes back, the chosen one included.
TREND_CYCLES = 4
GOOD_OR_BETTER = "Good or better"


def small_group_min() -> int:
    return int(settings.AUDITLOOP_SMALL_GROUP_MIN)


def suppressed_note() -> str:
    threshold = small_group_min()
    return SUPPRESSED_GROUP_NOTE.format(threshold=threshold, people=MIN_PEOPLE)


def audits_counted(reader: StaffMember) -> QuerySet[Audit]:
    """The audits that count in figures (submitted or completed, not calibration), less any
    `reader` is moderating blind. A team's picture is read only by those who may read each of
    its team's submitted audits (its manager, the leads and senior leaders over its service:
    `get_team_for_picture`), so small counts are not suppressed there (only small groups, and
    what would give them away: see `figure_table`)."""
    blind = Audit.objects.filter(grades_hidden_filter(reader)).values("pk")
    return audits_matching(Audit.objects.filter(status__in=SHARED_STATUSES)).exclude(pk__in=blind)


def team_picture_cycles(team: Team, reader: StaffMember) -> list[Cycle]:
    """The cycles with audits of the team that count, newest first (few: two a year)."""
    audits = audits_counted(reader).filter(team=team)
    return list(
        Cycle.objects.filter(cycle_audits__audit__in=audits)
        .distinct()
        .order_by("-starts_on", "-id")
    )


@dataclass(frozen=True)
class Figure:
    """One figure of a table as shown: its text ("[c]" when suppressed) and whether it is."""

    text: str
    suppressed: bool = False
    numeric: bool = True


@dataclass(frozen=True)
class FigureRow:
    label: str
    cells: list[Figure]
    total: Figure | None = None
    derived: Figure | None = None
    hint: str = ""


@dataclass(frozen=True)
class FigureTable:
    """A table of counts as the page and the CSV show it, suppressed."""

    caption: str
    row_heading: str
    columns: list[str]
    rows: list[FigureRow]
    total_heading: str = "Total"
    derived_heading: str = ""
    column_totals: list[Figure] | None = None
    grand_total: Figure | None = None
    derived_total: Figure | None = None

    @property
    def suppressed(self) -> bool:
        figures = [f for row in self.rows for f in [*row.cells, row.total, row.derived] if f]
        figures += [*(self.column_totals or [])]
        figures += [f for f in (self.grand_total, self.derived_total) if f]
        return any(f.suppressed for f in figures)


def _shown(value: int, suppressed: bool) -> Figure:
    return Figure(text=SUPPRESSED_MARK, suppressed=True) if suppressed else Figure(text=str(value))


def _percent(numerator: int, denominator: int) -> str:
    # Whole percentages, halves rounded up (as the compliance score is).
    return f"{(200 * numerator + denominator) // (2 * denominator)}%"


type Derive = Callable[[list[int], list[bool], int, bool], Figure | None]


def figure_table(
    *,
    caption: str,
    row_heading: str,
    columns: Sequence[str],
    rows: Sequence[tuple[str, list[int]]],
    row_groups: Sequence[int] | None = None,
    row_people: Sequence[int] | None = None,
    column_totals: bool = True,
    derived_heading: str = "",
    derive: Derive | None = None,
    total_heading: str = "Total",
    small_counts: bool = False,
    small_groups: bool = True,
) -> FigureTable:
    """A table of counts, suppressed by the one rule: `rows` are (label, counts per column);
    `derive` gives a row's derived figure (a percentage) from its counts, which of them are
    suppressed, its total and whether that is, so that it shows only what they show.
    `small_counts`: suppress small counts too (for readers who may not read every audit
    behind the table, such as a committee), not only small groups. `small_groups=False`
    turns the small-group rule off, for a reader who reads every audit behind every row (a
    practitioner's own audits): hiding their own grades from them protects no one."""
    cells = [counts for _, counts in rows]
    result = suppress_table(
        cells,
        threshold=small_group_min(),
        row_groups=row_groups if small_groups else None,
        row_people=row_people if small_groups else None,
        column_totals=column_totals,
        small_counts=small_counts,
    )
    shown_rows = []
    for i, (label, counts) in enumerate(rows):
        hidden = [result.cell(i, j) is not None for j in range(len(counts))]
        total_hidden = result.row_total(i) is not None
        shown_rows.append(
            FigureRow(
                label=label,
                cells=[_shown(v, h) for v, h in zip(counts, hidden, strict=True)],
                total=_shown(sum(counts), total_hidden),
                derived=derive(counts, hidden, sum(counts), total_hidden) if derive else None,
            )
        )
    totals = None
    grand = None
    derived_total = None
    if column_totals and cells:
        sums = [sum(row[j] for row in cells) for j in range(len(columns))]
        hidden_sums = [result.column_total(j) is not None for j in range(len(columns))]
        totals = [_shown(v, h) for v, h in zip(sums, hidden_sums, strict=True)]
        grand_hidden = result.grand_total is not None
        grand = _shown(sum(sums), grand_hidden)
        if derive:
            derived_total = derive(sums, hidden_sums, sum(sums), grand_hidden)
    return FigureTable(
        caption=caption,
        row_heading=row_heading,
        columns=list(columns),
        rows=shown_rows,
        total_heading=total_heading,
        derived_heading=derived_heading,
        column_totals=totals,
        grand_total=grand,
        derived_total=derived_total,
    )


@dataclass
class TeamPicture:
    """A team's picture for one cycle. `withheld`: the team had fewer audits that count in the
    cycle than the threshold, so none of the cycle's tables is shown (the trend still is, with
    that cycle's line suppressed)."""

    team: Team
    cycle: Cycle
    threshold: int
    audits: int
    people: int
    withheld: bool
    domains: list[FigureTable] = field(default_factory=list)
    compliance: list[FigureTable] = field(default_factory=list)
    themes: FigureTable | None = None
    # The overall grades of this cycle and the few before it, with the share Good or better.
    overall: list[FigureTable] = field(default_factory=list)

    def tables(self) -> list[FigureTable]:
        """Every table, in the page's order."""
        tables = [*self.overall, *self.domains, *self.compliance]
        if self.themes is not None:
            tables.append(self.themes)
        return tables

    @property
    def suppressed(self) -> bool:
        return self.withheld or any(table.suppressed for table in self.tables())

    @property
    def withheld_message(self) -> str:
        """Why the cycle's figures are not shown, where they are not."""
        if not self.withheld:
            return ""
        return withheld_message(self.threshold, audits=self.audits)


def team_picture(team: Team, cycle: Cycle, reader: StaffMember) -> TeamPicture:
    """The team's picture for the cycle, as `reader` may read it."""
    audits = audits_counted(reader).filter(team=team, cycle_link__cycle=cycle)
    sizes = audits.aggregate(n=Count("pk"), people=Count("practitioner", distinct=True))
    count, people = sizes["n"], sizes["people"]
    threshold = small_group_min()
    picture = TeamPicture(
        team=team,
        cycle=cycle,
        threshold=threshold,
        audits=count,
        people=people,
        withheld=group_suppressed(count, threshold=threshold, people=people),
    )
    if count and not picture.withheld:
        # By lists of ids, not subqueries of audits: PostgreSQL planned the compliance counts
        # against a subquery as a nested loop that ran for minutes on the demo council.
        ids = list(audits.values_list("id", flat=True))
        version_ids = sorted(set(audits.values_list("tool_version_id", flat=True)))
        grades = grades_of_scales(audits, version_ids=version_ids)
        picture.domains = domain_tables(audits, grades, audit_ids=ids, version_ids=version_ids)
        picture.compliance = compliance_tables(audits, audit_ids=ids, version_ids=version_ids)
        picture.themes = themes_table(audits, audit_ids=ids)
    picture.overall = _overall_by_cycle(team, cycle, reader)
    return picture


def grades_of_scales(
    audits: QuerySet[Audit], *, version_ids: list[int] | None = None
) -> dict[int, list[Grade]]:
    """The grades of each scale the audits' tools use, best first. One query. `version_ids`:
    the audits' tool versions, where the caller has them (a large scope: no subquery of
    audits)."""
    if version_ids is not None:
        of_scales = Grade.objects.filter(
            scale_id__in=ToolVersion.objects.filter(pk__in=version_ids).values("grading_scale_id")
        )
    else:
        of_scales = Grade.objects.filter(
            scale_id__in=audits.values("tool_version__grading_scale_id")
        )
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in of_scales.order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    return grades


def _questions(
    audits: QuerySet[Audit], kind: str, version_ids: list[int] | None = None
) -> dict[tuple[int, str], Question]:
    """The questions of this kind of the tools the audits used (or of `version_ids`, the
    audits' tool versions, where the caller has them), by (tool, code): the newest version's
    wording where versions differ. One query."""
    of_versions = (
        Question.objects.filter(section__version_id__in=version_ids)
        if version_ids is not None
        else Question.objects.filter(section__version_id__in=audits.values("tool_version_id"))
    )
    questions: dict[tuple[int, str], Question] = {}
    rows = (
        of_versions.filter(kind=kind)
        .select_related("section__version")
        .order_by("section__version__number", "section__order", "order")
    )
    for question in rows:
        questions[(question.section.version.tool_id, question.code)] = question
    return questions


def _tool_names(tool_ids: set[int]) -> dict[int, str]:
    return dict(AuditTool.objects.filter(pk__in=tool_ids).values_list("pk", "name"))


def _question_order(question: Question) -> tuple[int, int]:
    return (question.section.order, question.order)


def _answers_of(audits: QuerySet[Audit], audit_ids: Iterable[int] | None) -> QuerySet[Answer]:
    """The answers of `audits`, by their ids where they are given (a list, or the dashboards'
    subquery of the ids alone: PostgreSQL plans answers against the audits' whole query,
    joins and all, as a nested loop)."""
    if audit_ids is not None:
        return Answer.objects.filter(audit_id__in=audit_ids)
    return Answer.objects.filter(audit__in=audits)


def domain_tables(
    audits: QuerySet[Audit],
    grades: dict[int, list[Grade]],
    *,
    audit_ids: Iterable[int] | None = None,
    version_ids: list[int] | None = None,
    small_counts: bool = False,
    counts: Iterable[tuple[int, int, str, int, int]] | None = None,
) -> list[FigureTable]:
    """For each tool and scale: each graded question, how many answers at each grade (the
    grade that counts). Three queries. `audit_ids`, `version_ids`: the ids of `audits` and of
    their tool versions, where the caller has them (a large scope: answers and questions are
    then found by the lists, never by a subquery of audits); `small_counts` as
    `figure_table`'s; `counts`: the answers already counted by (tool, scale, question code,
    grade that counts), where the caller has them (then two queries)."""
    if counts is None:
        counts = (
            _answers_of(audits, audit_ids)
            .filter(question__kind=QuestionKind.GRADED)
            .annotate(counted=answer_grade_counted("id"))
            .exclude(counted=None)
            .values_list(
                "audit__tool_version__tool_id",
                "audit__tool_version__grading_scale_id",
                "question__code",
                "counted",
            )
            .annotate(n=Count("pk"))
            .order_by()
        )
    by_table: dict[tuple[int, int], dict[str, dict[int, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for tool, scale, code, counted, n in counts:
        by_table[tool, scale][code][counted] = n
    if not by_table:
        return []
    questions = _questions(audits, QuestionKind.GRADED, version_ids)
    names = _tool_names({tool for tool, _ in by_table})
    tables = []
    for (tool, scale), by_code in sorted(by_table.items(), key=lambda kv: names[kv[0][0]]):
        scale_grades = grades[scale]
        codes = sorted(by_code, key=lambda code: _question_order(questions[(tool, code)]))
        tables.append(
            figure_table(
                caption=f"Grades by domain: {names[tool]}",
                row_heading="Domain",
                columns=[g.label for g in scale_grades],
                rows=[
                    (
                        f"{code} {questions[(tool, code)].text}",
                        [by_code[code].get(g.pk, 0) for g in scale_grades],
                    )
                    for code in codes
                ],
                total_heading="Answers",
                small_counts=small_counts,
            )
        )
    return tables


def _yes_share(counts: list[int], hidden: list[bool], total: int, total_hidden: bool) -> Figure:
    """% yes = yes ÷ (yes + no), not applicable left out: shown only where yes and no are."""
    yes, no = counts[0], counts[1]
    if hidden[0] or hidden[1]:
        return Figure(text=SUPPRESSED_MARK, suppressed=True)
    if yes + no == 0:
        return Figure(text="No yes or no")
    return Figure(text=_percent(yes, yes + no))


COMPLIANCE_COLUMNS = (
    (ComplianceAnswer.YES, "Yes"),
    (ComplianceAnswer.NO, "No"),
    (ComplianceAnswer.NOT_APPLICABLE, "Not applicable"),
)


def compliance_tables(
    audits: QuerySet[Audit],
    *,
    audit_ids: Iterable[int] | None = None,
    version_ids: list[int] | None = None,
    small_counts: bool = False,
    counts: Iterable[tuple[int, str, str, int]] | None = None,
) -> list[FigureTable]:
    """For each tool: each compliance check, how many yes, no and not applicable, and % yes.
    Three queries. `audit_ids`, `version_ids`, `small_counts` as `domain_tables`'; `counts`:
    the answers already counted by (tool, question code, answer), where the caller has them
    (then two queries)."""
    if counts is None:
        counts = (
            _answers_of(audits, audit_ids)
            .filter(question__kind=QuestionKind.COMPLIANCE)
            .exclude(compliance="")
            .values_list("audit__tool_version__tool_id", "question__code", "compliance")
            .annotate(n=Count("pk"))
            .order_by()
        )
    by_tool: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for tool, code, answer, n in counts:
        by_tool[tool][code][answer] = n
    if not by_tool:
        return []
    questions = _questions(audits, QuestionKind.COMPLIANCE, version_ids)
    names = _tool_names(set(by_tool))
    tables = []
    for tool in sorted(by_tool, key=names.__getitem__):
        by_code = by_tool[tool]
        codes = sorted(by_code, key=lambda code: _question_order(questions[(tool, code)]))
        tables.append(
            figure_table(
                caption=f"Compliance by check: {names[tool]}",
                row_heading="Check",
                columns=[label for _, label in COMPLIANCE_COLUMNS],
                rows=[
                    (
                        f"{code} {questions[(tool, code)].text}",
                        [by_code[code].get(value, 0) for value, _ in COMPLIANCE_COLUMNS],
                    )
                    for code in codes
                ],
                total_heading="Answers",
                derived_heading="Yes (of yes and no)",
                derive=_yes_share,
                small_counts=small_counts,
            )
        )
    return tables


NO_THEME = "No theme given"
KIND_COLUMNS = (
    (LearningPointKind.GOOD_PRACTICE, "Good practice to share"),
    (LearningPointKind.CONCERN, "Area for development"),
)


def themes_table(
    audits: QuerySet[Audit], *, audit_ids: Iterable[int] | None = None, small_counts: bool = False
) -> FigureTable | None:
    """How many learning points of each kind carry each theme (a point with two themes counts
    under both, so no column is totalled). One query. `audit_ids`, `small_counts` as
    `domain_tables`'."""
    points = (
        LearningPoint.objects.filter(audit_id__in=audit_ids)
        if audit_ids is not None
        else LearningPoint.objects.filter(audit__in=audits)
    )
    counts = points.values("themes__name", "kind").annotate(n=Count("pk", distinct=True)).order_by()
    by_theme: dict[str, dict[str, int]] = defaultdict(dict)
    for row in counts:
        by_theme[row["themes__name"] or NO_THEME][row["kind"]] = row["n"]
    if not by_theme:
        return None
    names = sorted(by_theme, key=lambda name: (name == NO_THEME, name.lower()))
    return figure_table(
        caption="Themes of the learning points",
        row_heading="Theme",
        columns=[label for _, label in KIND_COLUMNS],
        rows=[(name, [by_theme[name].get(kind, 0) for kind, _ in KIND_COLUMNS]) for name in names],
        column_totals=False,
        total_heading="Learning points",
        small_counts=small_counts,
    )


def _good_share(
    grades: list[Grade],
) -> Derive:
    """The share of audits whose grade that counts is Good or better (needs no action), shown
    only where every count it is worked out from is shown."""

    def share(counts: list[int], hidden: list[bool], total: int, total_hidden: bool) -> Figure:
        if any(hidden) or total_hidden:
            return Figure(text=SUPPRESSED_MARK, suppressed=True)
        if total == 0:
            return Figure(text="No overall grade")
        good = sum(n for n, grade in zip(counts, grades, strict=True) if not grade.needs_action)
        return Figure(text=_percent(good, total))

    return share


def _overall_by_cycle(team: Team, cycle: Cycle, reader: StaffMember) -> list[FigureTable]:
    """The overall grades (the grade that counts) of the team's audits in the chosen cycle and
    the few before it, one line a cycle, with the share Good or better: the grade distribution
    and the trend in one table, so that neither can be set against the other to work out what
    one suppresses. A cycle with fewer audits than the threshold is suppressed whole. One
    table per grading scale (one, unless a council uses two). Four queries."""
    audits = audits_counted(reader).filter(
        team=team, cycle_link__cycle__starts_on__lte=cycle.starts_on
    )
    per_cycle = {
        row["cycle_link__cycle_id"]: (row["n"], row["people"])
        for row in audits.values("cycle_link__cycle_id")
        .annotate(n=Count("pk"), people=Count("practitioner", distinct=True))
        .order_by()
    }
    if not per_cycle:
        return []
    cycles = sorted(
        Cycle.objects.filter(pk__in=list(per_cycle)), key=lambda c: (c.starts_on, c.pk)
    )[-TREND_CYCLES:]
    counts = (
        audits.filter(cycle_link__cycle__in=cycles)
        .annotate(counted=overall_grade_counted("id"))
        .exclude(counted=None)
        .values("tool_version__grading_scale_id", "cycle_link__cycle_id", "counted")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_scale: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in counts:
        by_scale[row["tool_version__grading_scale_id"]][row["cycle_link__cycle_id"]][
            row["counted"]
        ] = row["n"]
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=list(by_scale)).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    tables = []
    for scale in sorted(by_scale):
        scale_grades = grades[scale]
        tables.append(
            figure_table(
                caption="Overall grades by cycle",
                row_heading="Cycle",
                columns=[g.label for g in scale_grades],
                rows=[
                    (
                        c.name + (" (this cycle)" if c.pk == cycle.pk else ""),
                        [by_scale[scale][c.pk].get(g.pk, 0) for g in scale_grades],
                    )
                    for c in cycles
                ],
                row_groups=[per_cycle[c.pk][0] for c in cycles],
                row_people=[per_cycle[c.pk][1] for c in cycles],
                column_totals=False,
                total_heading="Audits with an overall grade",
                derived_heading=f"Share {GOOD_OR_BETTER.lower()}",
                derive=_good_share(scale_grades),
            )
        )
    return tables


def team_picture_teams(staff_filter: Q) -> QuerySet[Team]:
    """The teams a reader may pick (by the access rule given), by service and name."""
    return (
        Team.objects.filter(staff_filter)
        .select_related("service")
        .order_by("service__name", "name")
    )


def team_picture_csv(picture: TeamPicture) -> str:
    """The page's tables as CSV, suppressed as the page is ("[c]", with the note at the end).
    Text a spreadsheet would run as a formula is written with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Team picture", neutralise(picture.team.name)])
    writer.writerow(["Service", neutralise(picture.team.service.name)])
    writer.writerow(["Cycle", neutralise(picture.cycle.name)])
    if picture.withheld:
        writer.writerow(["Audits", SUPPRESSED_MARK])
        writer.writerow([picture.withheld_message])
    else:
        writer.writerow(["Audits", picture.audits])
    for table in picture.tables():
        writer.writerow([])
        writer.writerow([neutralise(table.caption)])
        heading = [table.row_heading, *table.columns, table.total_heading]
        if table.derived_heading:
            heading.append(table.derived_heading)
        writer.writerow([neutralise(h) for h in heading])
        for row in table.rows:
            line = [neutralise(row.label), *(f.text for f in row.cells)]
            line.append(row.total.text if row.total else "")
            if table.derived_heading:
                line.append(row.derived.text if row.derived else "")
            writer.writerow(line)
        if table.column_totals is not None:
            line = ["Total", *(f.text for f in table.column_totals)]
            line.append(table.grand_total.text if table.grand_total else "")
            if table.derived_heading:
                line.append(table.derived_total.text if table.derived_total else "")
            writer.writerow(line)
    writer.writerow([])
    writer.writerow([suppressed_note()])
    # A byte-order mark so that Excel reads the file as UTF-8.
    return "\ufeff" + out.getvalue()


def withheld_message(threshold: int, *, audits: int) -> str:
    """Why a group's figures are withheld: too few audits, or too few people's cases."""
    if audits < threshold:
        return f"Fewer than {threshold} audits: not shown so that no one can be identified."
    return (
        f"Audits of fewer than {MIN_PEOPLE} people's cases: not shown so that no one can be "
        "identified."
    )
