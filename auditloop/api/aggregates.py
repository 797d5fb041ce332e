"""The aggregates behind the dashboards, and the issued cycle reviews, as JSON for a council's
BI tools (Power BI reads JSON).

Each answer is what the person behind the token reads on their dashboard: the cycles they may
pick (`dashboard_cycles`), the figures of one cycle (`dashboard_sections` of their
`dashboard_scope`), and the issued reviews they may read (`reviews_visible_to`). The access
rules are `auditloop.reports.access`, the pages' own: nothing here decides who reads what.
Figures are given as the page shows them (suppressed small groups as "[c]", with no number),
so that no BI tool can work out what a page withholds. Charts are drawn from the same figures
and are not repeated here.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, P, PathEx, Query, Router, Schema
from ninja.errors import HttpError

from auditloop.accounts.access import StaffRequest
from auditloop.accounts.models import StaffMember
from auditloop.api.schemas import REFUSALS_OR_NOT_FOUND, SIGNED_IN
from auditloop.reports.access.reviews import REVIEW_ROLES, reviews_visible_to
from auditloop.reports.access.scopes import (
    DASHBOARD_ROLES,
    dashboard_cycles,
    dashboard_scope,
)
from auditloop.reports.blocks import Block, Figure, FigureRow, FigureTable, Section
from auditloop.reports.forms.dashboards import default_cycle
from auditloop.reports.models import ReviewStatus
from auditloop.reports.selectors.figures import dashboard_figures
from auditloop.reports.selectors.scope import ReportScope
from auditloop.sampling.models import Cycle

router = Router()

NO_DASHBOARD = (
    "Your role has no dashboard of figures: dashboards are for practitioners, team managers, "
    "audit leads and senior leaders."
)
NO_REVIEWS = "Only board members, audit leads and senior leaders read cycle reviews."
NO_CYCLE = "There is no such cycle among your dashboard's cycles."
NO_CYCLE_YET = (
    "None of your services has a cycle of audits yet, so there are no figures to show. "
    "Figures appear here once an audit lead has planned a cycle."
)
# A block's key, as the page's downloads take it (a slug).
KEY_PATTERN = r"^[-a-zA-Z0-9_]+$"
# A whole number ("12", "1,204") or a percentage ("45%", "12.5%").
NUMBER = re.compile(r"^(?P<number>\d[\d,]*(?:\.\d+)?)(?P<percent>%?)$")


class CycleOut(Schema):
    id: uuid.UUID = Field(description="The cycle's identifier, to ask for its figures by.")
    name: str = Field(description="The cycle's name, as its audit lead gave it.")
    starts_on: datetime.date = Field(description="Its first day.")
    ends_on: datetime.date = Field(description="Its last day.")


class CellOut(Schema):
    text: str = Field(
        description=(
            'The figure as the page shows it: "12", "45%", "[c]" where it is suppressed '
            "(a small group, which could identify a child or a worker), or words such as "
            '"No overall grade".'
        )
    )
    number: float | None = Field(
        description=(
            "The figure as a number: a count, or a percentage as its number of per cent "
            '(45 for "45%"). Null where it is suppressed or is words, never zero in its place.'
        )
    )
    suppressed: bool = Field(description="true where the figure is withheld (text is [c]).")


class RowOut(Schema):
    label: str = Field(description="What the row counts: a team, a service, a month, a check.")
    cells: list[CellOut] = Field(description="One figure for each column, in columns' order.")
    total: CellOut | None = Field(description="The row's total, where the table has one.")
    derived: CellOut | None = Field(
        description="The row's derived figure (derived_heading says which), where it has one."
    )
    hint: str = Field(description="Words about the row, where the page shows some; else empty.")


class TableOut(Schema):
    caption: str = Field(description="What the table shows, as its caption on the page.")
    row_heading: str = Field(description="The heading of the rows' labels: Team, Service, ...")
    columns: list[str] = Field(description="The headings of the figures' columns, in order.")
    total_heading: str = Field(description="The heading of the rows' totals.")
    derived_heading: str = Field(
        description="The heading of the rows' derived figure (a share), or empty if none."
    )
    rows: list[RowOut] = Field(description="The table's rows, in the page's order.")
    column_totals: list[CellOut] | None = Field(
        description="Each column's total, where the table has a totals row."
    )
    grand_total: CellOut | None = Field(description="The total of the totals row.")
    derived_total: CellOut | None = Field(description="The totals row's derived figure.")
    suppressed: bool = Field(description="true where any figure of the table is withheld.")


class BlockOut(Schema):
    key: str = Field(
        description=(
            'The figure\'s stable name ("grades-overall"), the same on the page, in its CSV '
            "and xlsx downloads, and at /dashboard/blocks/{key}."
        )
    )
    heading: str = Field(description="The figure's heading on the page.")
    words: list[str] = Field(
        description="What the page says about it: why there is no table, where there is none."
    )
    table: TableOut | None = Field(
        description="Its figures; null where there is nothing to count yet (words say why)."
    )
    suppressed: bool = Field(description="true where any figure of its table is withheld.")


class SectionOut(Schema):
    key: str = Field(description="The section's stable name.")
    heading: str = Field(description="The section's heading on the page.")
    words: list[str] = Field(description="What the page says at the top of the section.")
    blocks: list[BlockOut] = Field(description="Its figures, in the page's order.")


class DashboardOut(Schema):
    cycle: CycleOut | None = Field(
        description="The cycle the figures are for; null where you have no cycle yet."
    )
    words: list[str] = Field(description="Why there are no figures, where there are none.")
    sections: list[SectionOut] = Field(description="Every section of your dashboard, in order.")


class DashboardBlockOut(Schema):
    cycle: CycleOut = Field(description="The cycle the figures are for.")
    section: str = Field(description="The key of the section the figure is in.")
    block: BlockOut = Field(description="The figure.")


class CycleChoice(Schema):
    cycle: uuid.UUID | None = Field(
        None,
        description=(
            "The cycle's identifier (from /dashboard/cycles). If not given, the cycle the "
            "dashboard page opens on: your newest cycle that has started (if none has, the "
            "first to start)."
        ),
    )


class CycleReviewOut(Schema):
    id: uuid.UUID = Field(description="The issued review's identifier.")
    cycle: CycleOut = Field(description="The cycle it reviews.")
    audience: str = Field(
        description=(
            "committee (anonymised, small groups suppressed) or leaders (with team names, "
            "for audit leads and senior leaders who may issue it)."
        )
    )
    format: str = Field(description="html, pdf or docx.")
    issued_at: datetime.datetime | None = Field(description="When it was issued.")
    size: int = Field(description="Its size in bytes.")
    sha256: str = Field(
        description="The SHA-256 of its bytes, to check a downloaded copy is the one issued."
    )


def figure_number(figure: Figure) -> float | None:
    """A shown figure as a number: a count, or a percentage's number of per cent; None for a
    suppressed figure or words."""
    if figure.suppressed or not figure.numeric:
        return None
    found = NUMBER.match(figure.text.strip())
    if found is None:
        return None
    return float(found["number"].replace(",", ""))


def _cell(figure: Figure | None) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {"text": figure.text, "number": figure_number(figure), "suppressed": figure.suppressed}


def _row(row: FigureRow) -> dict[str, Any]:
    return {
        "label": row.label,
        "cells": [_cell(f) for f in row.cells],
        "total": _cell(row.total),
        "derived": _cell(row.derived),
        "hint": row.hint,
    }


def _table(table: FigureTable) -> dict[str, Any]:
    return {
        "caption": table.caption,
        "row_heading": table.row_heading,
        "columns": table.columns,
        "total_heading": table.total_heading,
        "derived_heading": table.derived_heading,
        "rows": [_row(r) for r in table.rows],
        "column_totals": (
            None if table.column_totals is None else [_cell(f) for f in table.column_totals]
        ),
        "grand_total": _cell(table.grand_total),
        "derived_total": _cell(table.derived_total),
        "suppressed": table.suppressed,
    }


def block_out(block: Block) -> dict[str, Any]:
    """A block as the API gives it: its table's figures as shown, and its words."""
    return {
        "key": block.key,
        "heading": block.heading,
        "words": list(block.words),
        "table": None if block.table is None else _table(block.table),
        "suppressed": block.suppressed,
    }


def section_out(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "heading": section.heading,
        "words": list(section.words),
        "blocks": [block_out(b) for b in section.blocks],
    }


def cycle_out(cycle: Cycle) -> dict[str, Any]:
    return {
        "id": cycle.public_id,
        "name": cycle.name,
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
    }


def _dashboard_reader(request: StaffRequest) -> StaffMember:
    staff = request.staff
    if staff.role not in DASHBOARD_ROLES:
        raise PermissionDenied(NO_DASHBOARD)
    return staff


def _scope_for(staff: StaffMember, cycle_id: uuid.UUID | None) -> ReportScope | None:
    """`staff`'s dashboard scope for the cycle asked for (the page's default if none): None when
    they have no cycle at all and none was asked for; 404 for a cycle not theirs."""
    cycles = dashboard_cycles(staff)
    if cycle_id is None:
        # The page's own default: the newest cycle that has started, else the first to come.
        cycle = default_cycle(list(cycles), timezone.localdate())
    else:
        cycle = cycles.filter(public_id=cycle_id).first()
    if cycle is None:
        if cycle_id is None:
            return None
        raise HttpError(404, NO_CYCLE)
    scope = dashboard_scope(staff, cycle)
    if scope is None:
        raise HttpError(404, NO_CYCLE)
    return scope


@router.get(
    "/dashboard/cycles",
    response={200: list[CycleOut], **SIGNED_IN},
    summary="The cycles your dashboard can show, newest first",
)
def list_dashboard_cycles(request: StaffRequest) -> list[dict[str, Any]]:
    staff = _dashboard_reader(request)
    return [cycle_out(c) for c in dashboard_cycles(staff)]


@router.get(
    "/dashboard",
    response={200: DashboardOut, **REFUSALS_OR_NOT_FOUND},
    summary="Every figure of your dashboard for one cycle, as its page shows them",
)
def get_dashboard(request: StaffRequest, choice: Query[CycleChoice]) -> dict[str, Any]:
    scope = _scope_for(_dashboard_reader(request), choice.cycle)
    if scope is None:
        return {"cycle": None, "words": [NO_CYCLE_YET], "sections": []}
    return {
        "cycle": cycle_out(scope.cycle),
        "words": [],
        "sections": [section_out(s) for s in dashboard_figures(scope).sections],
    }


@router.get(
    "/dashboard/blocks/{key}",
    response={200: DashboardBlockOut, **REFUSALS_OR_NOT_FOUND},
    summary="One figure of your dashboard for one cycle, by its key",
)
def get_dashboard_block(
    request: StaffRequest,
    key: PathEx[
        str,
        P(
            max_length=100,
            pattern=KEY_PATTERN,
            description='The figure\'s key ("grades-overall"), as on the page.',
        ),
    ],
    choice: Query[CycleChoice],
) -> dict[str, Any]:
    scope = _scope_for(_dashboard_reader(request), choice.cycle)
    if scope is None:
        raise HttpError(404, NO_CYCLE_YET)
    for section in dashboard_figures(scope).sections:
        block = section.block(key)
        if block is not None:
            return {
                "cycle": cycle_out(scope.cycle),
                "section": section.key,
                "block": block_out(block),
            }
    raise HttpError(404, f"Your dashboard has no figure with the key {key[:40]!r}.")


@router.get(
    "/cycle-reviews",
    response={200: list[CycleReviewOut], **SIGNED_IN},
    summary="The issued cycle reviews you may read, newest first: what they are, not content",
)
def list_cycle_reviews(request: StaffRequest) -> list[dict[str, Any]]:
    if request.staff.role not in REVIEW_ROLES:
        raise PermissionDenied(NO_REVIEWS)
    issued = reviews_visible_to(request.staff).filter(status=ReviewStatus.ISSUED)
    return [
        {
            "id": r.public_id,
            "cycle": cycle_out(r.cycle),
            "audience": r.audience,
            "format": r.format,
            "issued_at": r.issued_at,
            "size": r.size,
            "sha256": r.sha256,
        }
        for r in issued.order_by("-issued_at", "-id")
    ]
