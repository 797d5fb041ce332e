"""The figures of the dashboards and the cycle review, each as `Block`s for a `ReportScope`.

Each function asks a fixed number of aggregate queries, however many audits the scope has
(a test counts them on a small and a large council). Rows are teams where the scope names
teams, else services. Small groups (and, for the committee, small counts) are suppressed by
`figure_table`. A function with nothing to count returns its block with words saying so.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from auditloop.core.dataversion import figures_cached
from auditloop.learning.selectors.team_picture import small_group_min
from auditloop.reports.blocks import Section
from auditloop.reports.selectors.figures.compliance import compliance_by_check, quality_share
from auditloop.reports.selectors.figures.experience import experience_blocks
from auditloop.reports.selectors.figures.family import family_view
from auditloop.reports.selectors.figures.follow_up import overdue_actions, revisit_outcomes
from auditloop.reports.selectors.figures.grades import grades_by_domain, grades_overall, trend
from auditloop.reports.selectors.figures.moderation import moderation
from auditloop.reports.selectors.figures.parts import NO_AUDITS
from auditloop.reports.selectors.figures.progress import progress
from auditloop.reports.selectors.figures.themes import themes
from auditloop.reports.selectors.figures.tool_use import tool_use
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope

__all__ = [
    "NO_AUDITS",
    "DashboardFigures",
    "compliance_by_check",
    "dashboard_figures",
    "dashboard_figures_computed",
    "dashboard_key",
    "dashboard_sections",
    "experience_blocks",
    "family_view",
    "grades_by_domain",
    "grades_overall",
    "moderation",
    "overdue_actions",
    "progress",
    "quality_share",
    "revisit_outcomes",
    "themes",
    "tool_use",
    "trend",
]


def dashboard_sections(scope: ReportScope) -> list[Section]:
    """Every section of a dashboard for `scope`, in the page's order. A fixed number of
    queries, however many audits the scope holds."""
    return [
        Section(key="progress", heading="Progress", blocks=progress(scope)),
        Section(
            key="grades",
            heading="Grades",
            blocks=[*grades_overall(scope), *trend(scope), *grades_by_domain(scope)],
        ),
        Section(key="compliance", heading="Compliance", blocks=compliance_by_check(scope)),
        Section(key="quality", heading="Quality and compliance", blocks=quality_share(scope)),
        Section(key="moderation", heading="Moderation", blocks=moderation(scope)),
        Section(
            key="actions",
            heading="Actions and revisits",
            blocks=[*overdue_actions(scope), *revisit_outcomes(scope)],
        ),
        Section(key="themes", heading="Themes", blocks=themes(scope)),
        Section(key="family", heading="The child's and family's view", blocks=family_view(scope)),
        *_experience(scope),
    ]


@dataclass(frozen=True)
class DashboardFigures:
    """A dashboard's sections, and how many audits they count."""

    sections: list[Section]
    counted: int


def dashboard_key(scope: ReportScope) -> tuple[Hashable, ...]:
    """Everything a dashboard's figures depend on beside the reader, the day and the data."""
    return (
        scope.cycle.pk,
        scope.service_ids,
        scope.team_ids,
        scope.practitioner_id,
        scope.names_teams,
        scope.small_counts,
        small_group_min(),
    )


def dashboard_figures(scope: ReportScope) -> DashboardFigures:
    """`dashboard_sections(scope)` and its count of audits, as the page, its tables and
    downloads and the API show them: kept for the reader until anything they are drawn from
    changes (`auditloop.core.dataversion`), or the day does. The scope is decided, and access
    checked, by the caller on every request; the key holds everything the scope is made of,
    so a reader whose access changed (a write) or who picks another cycle never meets an
    entry made for another scope."""
    return figures_cached(
        "dashboard",
        reader_id=scope.reader.pk if scope.reader is not None else None,
        params=dashboard_key(scope),
        compute=lambda: dashboard_figures_computed(scope),
    )


def dashboard_figures_computed(scope: ReportScope) -> DashboardFigures:
    """The same, computed now. A cache entry that holds these with more (the page's drawn
    sections) computes them itself: figures from another entry may be of another version."""
    return DashboardFigures(
        sections=dashboard_sections(scope), counted=audits_in_scope(scope).count()
    )


def _experience(scope: ReportScope) -> list[Section]:
    """How practitioners found being audited, for readers of whole services (leaders and
    audit leads): the answers are counted by service only, so a team's or a person's own
    dashboard has no figures of its own to show."""
    if scope.team_ids is not None or scope.is_own:
        return []
    return [
        Section(
            key="experience",
            heading="Experience of being audited",
            blocks=experience_blocks(scope),
        )
    ]
