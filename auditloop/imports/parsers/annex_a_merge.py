"""One child's case record from their staged Annex A rows (see `annex_a.read_annex_a`).

The import merges each child's rows as it applies them, and `annex_a.parse_annex_a` merges
them in memory: both call `merge_rows`, so they agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from auditloop.imports.parsers.annex_a_columns import (
    CHILD,
    COHORT,
    DATE_ITEMS,
    ENDED,
    LIST,
    OPEN,
    ROW,
    SHEET,
    STAGED_DATES,
    TEAM,
    TEXT_ITEMS,
    WORKER,
    StagedRow,
)
from auditloop.imports.parsers.base import CaseRecord, Issue, IssueLog, more_specific


def merge_rows(rows: Sequence[StagedRow], sheets: Sequence[str], issues: IssueLog) -> CaseRecord:
    """One child's case record from their rows, in the order the workbook gave them.

    The child is open if any list holds them open; the most specific list they are open on
    decides the cohort (or, if closed everywhere, the most specific list). Dates take the
    latest given; gender, ethnicity and disability the first; team and worker the last.
    A child twice on one sheet is reported at the later row.
    """
    first = rows[0]
    if len(rows) == 1:
        return _record_of_one(first, sheets)
    record = CaseRecord(
        la_child_id=first[CHILD],
        cohort=first[COHORT],
        sheet=sheets[first[SHEET]],
        row=first[ROW],
        is_open=bool(first[OPEN]),
    )
    closed_on = None
    seen_sheets: set[int] = set()
    for row in rows:
        if row is not first:
            closed_on = _merge_status(record, row, closed_on)
            if row[SHEET] in seen_sheets:
                issues.append(_listed_twice(row, sheets))
        seen_sheets.add(row[SHEET])
        record.lists.add(row[LIST])
        _merge_fields(record.fields, row)
        ended_on = row[ENDED]
        if (
            not record.is_open
            and ended_on is not None
            and (closed_on is None or ended_on > closed_on)
        ):
            closed_on = ended_on
        if row[TEAM]:
            record.team_name = row[TEAM]
        if row[WORKER]:
            record.worker_name = row[WORKER]
            record.sheet, record.row = sheets[row[SHEET]], row[ROW]
    fields = record.fields
    for name in STAGED_DATES:
        if name in fields:
            fields[name] = datetime.date.fromordinal(fields[name])
    if closed_on is not None:
        fields["closed_on"] = datetime.date.fromordinal(closed_on)
    return record


def _merge_status(record: CaseRecord, row: StagedRow, closed_on: int | None) -> int | None:
    """Open on any list wins (forgetting any closure so far); otherwise the more specific
    cohort. Returns the closure date (an ordinal) still standing."""
    is_open = bool(row[OPEN])
    if is_open and not record.is_open:
        record.cohort, record.is_open = row[COHORT], True
        return None
    if is_open == record.is_open:
        record.cohort = more_specific(record.cohort, row[COHORT])
    return closed_on


def _merge_fields(fields: dict[str, Any], row: StagedRow) -> None:
    """The latest of each date (still ordinals) and the first of each text."""
    for index, name in DATE_ITEMS:
        value = row[index]
        if value is not None:
            current = fields.get(name)
            if current is None or value > current:
                fields[name] = value
    for index, name in TEXT_ITEMS:
        value = row[index]
        if value and name not in fields:
            fields[name] = value


def _listed_twice(row: StagedRow, sheets: Sequence[str]) -> Issue:
    return Issue(
        sheets[row[SHEET]],
        row[ROW],
        "Child Unique ID",
        row[CHILD],
        "This child is listed twice in this list; the later row adds to the earlier one.",
        "warning",
    )


def _record_of_one(row: StagedRow, sheets: Sequence[str]) -> CaseRecord:
    """`merge_rows` for a child on one row only (most children), without the merging."""
    day = datetime.date.fromordinal
    fields = {name: day(row[index]) for index, name in DATE_ITEMS if row[index] is not None}
    for index, name in TEXT_ITEMS:
        if row[index]:
            fields[name] = row[index]
    is_open = bool(row[OPEN])
    if not is_open and row[ENDED] is not None:
        fields["closed_on"] = day(row[ENDED])
    return CaseRecord(
        la_child_id=row[CHILD],
        cohort=row[COHORT],
        lists={row[LIST]},
        fields=fields,
        team_name=row[TEAM],
        worker_name=row[WORKER],
        is_open=is_open,
        sheet=sheets[row[SHEET]],
        row=row[ROW],
    )
