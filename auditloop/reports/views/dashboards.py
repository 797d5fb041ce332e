"""The dashboard: one page whose figures depend on who reads it (`dashboard_scope`), a cycle
at a time, with each table downloadable as CSV and xlsx; and the board member's page, which
has no live figures, only the issued committee reviews and the published key messages."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.core.dataversion import figures_cached
from auditloop.learning.selectors.team_picture import small_group_min, suppressed_note
from auditloop.reports.access.dashboards import DASHBOARD_READERS, committee_reviews_for
from auditloop.reports.access.inspection_pack import PACK_ROLES
from auditloop.reports.access.reviews import REVIEW_ROLES
from auditloop.reports.access.scopes import (
    DASHBOARD_ROLES,
    dashboard_cycles,
    dashboard_scope,
    dashboard_service_ids,
    services_headed,
)
from auditloop.reports.access.targets import TARGET_ROLES
from auditloop.reports.blocks import block_by_key
from auditloop.reports.forms.dashboards import DashboardCycleForm
from auditloop.reports.selectors.dashboards import (
    KEY_MESSAGES_SHOWN,
    published_key_messages_for,
    scope_words,
)
from auditloop.reports.selectors.figures import (
    DashboardFigures,
    dashboard_figures,
    dashboard_figures_computed,
    dashboard_key,
)
from auditloop.reports.selectors.scope import ReportScope
from auditloop.reports.services.dashboards import dashboard_export

DOWNLOADS = {"csv": "reports:dashboard_download_csv", "xlsx": "reports:dashboard_download_xlsx"}
# A table with a row for each of more teams (or services) than this (an audit lead's or a
# senior leader's services on a large council) is shown on the dashboard by its totals, with
# a link to its chart and whole table on a page of their own, and its downloads: drawn in full,
# six such tables and charts of 48 teams made the large council's audit lead's dashboard
# 766 KB. A service's eight teams, and tables by month, check, domain or cycle, stay whole.
DASHBOARD_TABLE_ROWS = 10
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _chosen_scope(request: StaffRequest) -> tuple[DashboardCycleForm, ReportScope | None]:
    """The cycle form (from the query string) and the reader's scope of the cycle chosen: None
    when they have no cycle or chose one that is not theirs."""
    staff = request.staff
    # The services the reader heads and reads, asked once for the cycles and the scope.
    headed = services_headed(staff)
    service_ids = dashboard_service_ids(staff, headed=headed)
    cycles = list(dashboard_cycles(staff, service_ids=service_ids))
    form = DashboardCycleForm(
        request.GET if "cycle" in request.GET else None,
        cycles=cycles,
        today=timezone.localdate(),
    )
    cycle = form.chosen()
    if cycle is None:
        return form, None
    return form, dashboard_scope(staff, cycle, service_ids=service_ids, headed=headed)


@roles_required(*DASHBOARD_READERS)
def dashboard(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    if staff.role == Role.BOARD_MEMBER:
        return _board_dashboard(request)
    form, scope = _chosen_scope(request)
    shown = _dashboard_shown(scope) if scope is not None else None
    return render(
        request,
        "reports/dashboard/page.html",
        {
            "form": form,
            "has_cycles": bool(form.cycles),
            "scope": scope,
            "scope_words": scope_words(scope) if scope is not None else "",
            "sections": SimpleLazyObject(lambda: shown.figures.sections)
            if shown is not None
            else [],
            "sections_html": shown.html if shown is not None else "",
            "counted": shown.counted if shown is not None else 0,
            "threshold": small_group_min(),
            "reads_targets": staff.role in TARGET_ROLES,
            "reads_reviews": staff.role in REVIEW_ROLES,
            "makes_packs": staff.role in PACK_ROLES,
            "cycle_running": scope is not None and scope.cycle.ends_on >= timezone.localdate(),
        },
    )


@dataclass(frozen=True)
class DashboardShown:
    """A reader's dashboard as the page shows it: the count, the drawn sections, and the
    figures they were drawn from, of the same version. The page shows only the drawn HTML, so
    the figures are kept as a pickle of their own, read only when asked for (the page's context
    offers them for tests): unpickling them with every show, their enums above all, was 60% of
    a kept dashboard's time under load (py-spy, large council)."""

    counted: int
    html: SafeString
    figures_pickled: bytes

    @property
    def figures(self) -> DashboardFigures:
        figures: DashboardFigures = pickle.loads(self.figures_pickled)  # noqa: S301 (made above)
        return figures


def _dashboard_shown(scope: ReportScope) -> DashboardShown:
    """The figures and their sections drawn as the page shows them (drawing them is a tenth to
    a half of a dashboard's time once its figures are kept), kept together for the reader:
    they are drawn from the figures and the scope alone, never from the request."""

    def compute() -> DashboardShown:
        figures = dashboard_figures_computed(scope)
        html = render_to_string(
            "reports/dashboard/_sections.html",
            {
                "sections": figures.sections,
                "downloads": DOWNLOADS,
                "download_query": {"cycle": str(scope.cycle.public_id)},
                "table_rows_shown": DASHBOARD_TABLE_ROWS,
                "threshold": small_group_min(),
                "suppressed_note": suppressed_note(),
            },
        )
        return DashboardShown(
            counted=figures.counted,
            html=SafeString(html),
            figures_pickled=pickle.dumps(figures, protocol=pickle.HIGHEST_PROTOCOL),
        )

    return figures_cached(
        "dashboard-page",
        reader_id=scope.reader.pk if scope.reader is not None else None,
        params=(*dashboard_key(scope), DASHBOARD_TABLE_ROWS),
        compute=compute,
    )


def _board_dashboard(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    messages = published_key_messages_for(staff)
    return render(
        request,
        "reports/dashboard/board.html",
        {
            "reviews": list(committee_reviews_for(staff)),
            "key_messages": list(messages[:KEY_MESSAGES_SHOWN]),
            "key_messages_count": messages.count(),
        },
    )


def _download(request: StaffRequest, key: str, fmt: str) -> HttpResponse:
    """One table of the reader's dashboard, for the cycle in the query string (the default
    cycle without one), scoped exactly as the page; 404 for a block their dashboard does not
    have, or a cycle that is none of theirs."""
    _form, scope = _chosen_scope(request)
    if scope is None:
        raise Http404("No dashboard for that cycle.")
    block = block_by_key(dashboard_figures(scope).sections, key)
    if block is None or block.table is None:
        raise Http404("Your dashboard has no such table.")
    context = [
        ("Report", "Dashboard"),
        ("Cycle", scope.cycle.name),
        ("Figures for", scope_words(scope)),
        ("Downloaded", f"{timezone.localdate():%-d %B %Y}"),
    ]
    data = dashboard_export(block=block, scope=scope, fmt=fmt, context=context, by=request.staff)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    # Named by the table and the cycle's start, never by a person or a child.
    filename = f"dashboard-{block.key}-{scope.cycle.starts_on:%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@roles_required(*DASHBOARD_ROLES)
def dashboard_table(request: StaffRequest, key: str) -> HttpResponse:
    """One table of the reader's dashboard in full, with its chart and downloads, for the
    cycle in the query string (the default cycle without one), scoped exactly as the page;
    404 for a block their dashboard does not have, or a cycle that is none of theirs."""
    _form, scope = _chosen_scope(request)
    if scope is None:
        raise Http404("No dashboard for that cycle.")
    block = block_by_key(dashboard_figures(scope).sections, key)
    if block is None or block.table is None:
        raise Http404("Your dashboard has no such table.")
    return render(
        request,
        "reports/dashboard/table.html",
        {
            # Not "block": inside a template's {% block %}, that name is the block tag's own.
            "figures": block,
            "scope": scope,
            "scope_words": scope_words(scope),
            "downloads": DOWNLOADS,
            "download_query": {"cycle": str(scope.cycle.public_id)},
            "threshold": small_group_min(),
            "suppressed_note": suppressed_note(),
        },
    )


@roles_required(*DASHBOARD_ROLES)
def dashboard_download_csv(request: StaffRequest, key: str) -> HttpResponse:
    return _download(request, key, "csv")


@roles_required(*DASHBOARD_ROLES)
def dashboard_download_xlsx(request: StaffRequest, key: str) -> HttpResponse:
    return _download(request, key, "xlsx")


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/tables/<slug:key>/", dashboard_table, name="dashboard_table"),
    path(
        "dashboard/download/<slug:key>.csv", dashboard_download_csv, name="dashboard_download_csv"
    ),
    path(
        "dashboard/download/<slug:key>.xlsx",
        dashboard_download_xlsx,
        name="dashboard_download_xlsx",
    ),
]
