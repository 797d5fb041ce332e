"""The figures of the dashboards and the cycle review, each as `Block`s for a `ReportScope`.

Each function asks a fixed number of aggregate queries, however many audits the scope has
(a test counts them on a small and a large council). Rows are teams where the scope names
teams, else services. Small groups (and, for the committee, small counts) are suppressed by
`figure_table`. A function with nothing to count returns its block with words saying so.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from auditloop.accounts.models import Service, Team
from auditloop.audits.models import Grade
from auditloop.audits.selectors.audits import overall_grade_counted
from auditloop.learning.selectors.team_picture import (
    GOOD_OR_BETTER,
    _good_share,
    figure_table,
)
from auditloop.reports.blocks import Block, Chart, ChartKind, Section, Series
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope

NO_AUDITS = "No audit in this cycle has been submitted yet, so there are no grades to count."


def _group_field(scope: ReportScope) -> str:
    return "team_id" if scope.names_teams else "team__service_id"


def _group_names(scope: ReportScope, ids: list[int]) -> dict[int, str]:
    model = Team if scope.names_teams else Service
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def grades_overall(scope: ReportScope) -> list[Block]:
    """The overall grades that count, by team (or service), one table per grading scale, with
    the share Good or better; and its chart. Three queries."""
    audits = audits_in_scope(scope)
    group = _group_field(scope)
    sizes = {
        row[group]: (row["n"], row["people"])
        for row in audits.values(group)
        .annotate(n=Count("pk"), people=Count("practitioner", distinct=True))
        .order_by()
    }
    counts = (
        audits.annotate(counted=overall_grade_counted("id"))
        .exclude(counted=None)
        .values("tool_version__grading_scale_id", group, "counted")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_scale: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in counts:
        by_scale[row["tool_version__grading_scale_id"]][row[group]][row["counted"]] = row["n"]
    if not by_scale:
        return [Block(key="grades-overall", heading="Overall grades", words=[NO_AUDITS])]
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=list(by_scale)).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    names = _group_names(scope, list(sizes))
    blocks = []
    for index, scale in enumerate(sorted(by_scale)):
        scale_grades = grades[scale]
        groups = sorted(by_scale[scale], key=lambda g: names.get(g, ""))
        table = figure_table(
            caption="Overall grades" + (" by team" if scope.names_teams else " by service"),
            row_heading="Team" if scope.names_teams else "Service",
            columns=[g.label for g in scale_grades],
            rows=[
                (names.get(g, ""), [by_scale[scale][g].get(x.pk, 0) for x in scale_grades])
                for g in groups
            ],
            row_groups=[sizes[g][0] for g in groups],
            row_people=[sizes[g][1] for g in groups],
            total_heading="Audits with an overall grade",
            derived_heading=f"Share {GOOD_OR_BETTER.lower()}",
            derive=_good_share(scale_grades),
            small_counts=scope.small_counts,
        )
        chart = Chart(
            kind=ChartKind.STACKED,
            title=table.caption,
            categories=[row.label for row in table.rows],
            series=[
                Series(
                    name=grade.label,
                    values=[
                        None
                        if row.cells[j].suppressed or row.total is None or row.total.suppressed
                        else _share(int(row.cells[j].text), int(row.total.text))
                        for row in table.rows
                    ],
                )
                for j, grade in enumerate(scale_grades)
            ],
        )
        key = "grades-overall" if index == 0 else f"grades-overall-{index + 1}"
        blocks.append(Block(key=key, heading="Overall grades", table=table, chart=chart))
    return blocks


# The figures below are built in parallel against these signatures (issue 10); each returns
# its blocks, or one block whose words say why there is nothing to count.


def progress(scope: ReportScope) -> list[Block]:
    """Planned against done: by team (or service) and by month of the cycle."""
    raise NotImplementedError


def grades_by_domain(scope: ReportScope) -> list[Block]:
    """The grades that count of each graded question (domain), one table per tool."""
    raise NotImplementedError


def compliance_by_check(scope: ReportScope) -> list[Block]:
    """The compliance rate (yes of yes and no) of each compliance check, one table per tool."""
    raise NotImplementedError


def quality_share(scope: ReportScope) -> list[Block]:
    """The share of quality judgements against compliance checks, across cycles."""
    raise NotImplementedError


def moderation(scope: ReportScope) -> list[Block]:
    """Moderation coverage, agreement (auditor against moderator) and grades changed."""
    raise NotImplementedError


def overdue_actions(scope: ReportScope) -> list[Block]:
    """Actions from the scope's audits: open, overdue, done, by team (or service)."""
    raise NotImplementedError


def revisit_outcomes(scope: ReportScope) -> list[Block]:
    """Revisits done in the cycle: improved, the same, worse, not yet done."""
    raise NotImplementedError


def themes(scope: ReportScope) -> list[Block]:
    """Learning points by theme: good practice and areas for development."""
    raise NotImplementedError


def trend(scope: ReportScope) -> list[Block]:
    """The overall grades across this and the cycles before it, against the targets the
    council set (`Target`): share Inadequate and share Good or better."""
    raise NotImplementedError


def dashboard_sections(scope: ReportScope) -> list[Section]:
    """Every section of a dashboard for `scope`, in the page's order."""
    raise NotImplementedError
