"""Writing case records to child case files, in bulk, inside the caller's transaction.

One read of the existing case files (by chunk of IDs), one comparison in Python, then batched
inserts, and changed case files staged in a temporary table and written by one UPDATE ... FROM:
the query count grows with the rows only by one per batch. `CaseWriter` does the comparing and
writing; the Annex A import feeds it from its staging table (see `services/annex_a.py`).
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Field
from django.utils import timezone

from auditloop.cases.models import ChildCase
from auditloop.core.dataversion import data_changed
from auditloop.imports.matching import StaffIndex, TeamIndex
from auditloop.imports.parsers.base import CaseRecord, Issue, ParsedCases, chunks

# Every field an import may set, compared to decide created / updated / unchanged.
DATA_FIELDS = (
    "cohort",
    "is_open",
    "closed_on",
    "no_longer_listed_on",
    "source_lists",
    "allocated_team_id",
    "allocated_team_name",
    "allocated_worker_id",
    "allocated_worker_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "disability",
    "referral_date",
    "assessment_completed",
    "cp_plan_start",
    "cla_start",
    "last_statutory_visit",
    "last_seen_alone",
    "latest_review",
    "last_health_assessment",
    "latest_pathway_plan_review",
    "opened_on",
)
STATUS_FIELDS = ("cohort", "is_open", "closed_on", "no_longer_listed_on")
ID_CHUNK = 500
WRITE_BATCH = 1000


@dataclass
class CaseCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    issues: list[Issue] = field(default_factory=list)


def _desired(
    record: CaseRecord, snapshot: bool, staff: StaffIndex, teams: TeamIndex
) -> dict[str, Any]:
    values: dict[str, Any] = dict(record.fields)
    if not record.update_only:
        values["cohort"] = str(record.cohort)
        values["is_open"] = record.is_open
        if record.is_open:
            values["closed_on"] = None
        values["no_longer_listed_on"] = None
    if snapshot:
        values["source_lists"] = _source_lists(frozenset(record.lists))
        # The snapshot is the source of truth for allocation: blank means unallocated.
        values["allocated_team_id"] = teams.match(
            name=record.team_name, sheet=record.sheet, row=record.row
        )
        values["allocated_team_name"] = record.team_name
        values["allocated_worker_id"] = staff.match(
            name=record.worker_name, swe=record.worker_swe, sheet=record.sheet, row=record.row
        )
        values["allocated_worker_name"] = record.worker_name
    elif record.worker_swe or record.worker_name:
        worker = staff.match(
            name=record.worker_name, swe=record.worker_swe, sheet=record.sheet, row=record.row
        )
        values["allocated_worker_id"] = worker
        values["allocated_worker_name"] = record.worker_name or record.worker_swe
    return values


@lru_cache(maxsize=256)
def _source_lists(lists: frozenset[int]) -> str:
    return ",".join(str(n) for n in sorted(lists))


class CaseWriter:
    """Compares case records with the case files they describe and writes the difference, in
    batches: new case files are inserted `WRITE_BATCH` at a time; changed ones are staged in a
    temporary table and written at `finish()` by one UPDATE ... FROM per kind of change (the
    set of fields that changed: usually one or two kinds however many rows). Memory stays flat
    however many records pass through. Use inside the caller's transaction.

    `current` (given to `add`) is the case file's `id` and DATA_FIELDS as Python values (as
    `.values()` gives them, or a raw cursor: Django's SQLite converters read `date` columns
    back as dates).
    """

    def __init__(self, *, snapshot: bool, now: datetime.datetime) -> None:
        self.snapshot = snapshot
        self.now = now
        self.counts = CaseCounts()
        self.staff, self.teams = StaffIndex(), TeamIndex()
        self.to_create: list[dict[str, Any]] = []
        self.to_update: dict[tuple[str, ...], list[list[Any]]] = {}
        self.pending_updates = 0
        self.updates = _UpdateTable()
        self.missing_for_update = 0
        self.first_missing: CaseRecord | None = None

    def add(self, record: CaseRecord, current: dict[str, Any] | None) -> None:
        desired = _desired(record, self.snapshot, self.staff, self.teams)
        if current is None:
            if record.update_only:
                self.missing_for_update += 1
                self.first_missing = self.first_missing or record
                return
            desired["la_child_id"] = record.la_child_id
            self.to_create.append(desired)
            if len(self.to_create) >= WRITE_BATCH:
                self._flush_creates()
            return
        if record.keeps_status:
            for name in STATUS_FIELDS:
                desired.pop(name, None)
        changes = {k: v for k, v in desired.items() if current[k] != v}
        if not changes:
            self.counts.unchanged += 1
            return
        names = tuple(changes)
        values = [current["id"], *changes.values()]
        try:
            self.to_update[names].append(values)
        except KeyError:
            self.to_update[names] = [values]
        self.pending_updates += 1
        if self.pending_updates >= WRITE_BATCH:
            self._flush_updates()

    def _flush_creates(self) -> None:
        _insert(self.to_create, self.now)
        self.counts.created += len(self.to_create)
        self.to_create = []

    def _flush_updates(self) -> None:
        for names, rows in self.to_update.items():
            self.updates.add(names, rows)
        self.counts.updated += self.pending_updates
        self.to_update, self.pending_updates = {}, 0

    def finish(self) -> CaseCounts:
        self._flush_creates()
        self._flush_updates()
        self.updates.apply(self.now)
        counts = self.counts
        counts.issues.extend(self.teams.misses.issues())
        counts.issues.extend(self.staff.misses.issues())
        if self.first_missing is not None:
            first = self.first_missing
            counts.issues.append(
                Issue(
                    first.sheet,
                    first.row,
                    "CHILD",
                    "",
                    f"{_children(self.missing_for_update)} in this file no case file yet, so "
                    "their rows were not used (the first is shown here). Import the episodes "
                    "table (or the Annex A workbook) first, then this file again.",
                    "warning",
                )
            )
        return counts


@transaction.atomic
def case_records_apply(*, parsed: ParsedCases, today: datetime.date) -> CaseCounts:
    """Create or refresh the case files the parsed records describe; for a snapshot, close the
    open case files an earlier snapshot listed and this one does not."""
    writer = CaseWriter(snapshot=parsed.snapshot, now=timezone.now())
    ids = list(parsed.records)
    for chunk in chunks(ids, ID_CHUNK):
        existing = {
            row.pop("la_child_id"): row
            for row in ChildCase.objects.filter(la_child_id__in=chunk).values(
                "id", "la_child_id", *DATA_FIELDS
            )
        }
        for child_id in chunk:
            writer.add(parsed.records[child_id], existing.get(child_id))
    counts = writer.finish()
    if parsed.snapshot:
        counts.closed = _close_no_longer_listed(parsed, today)
        counts.updated += counts.closed
    return counts


def _adapter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.UUIDField):
        return _same if connection.features.has_native_uuid_field else _uuid_hex
    return _same


def _same(value: Any) -> Any:
    return value


def _uuid_hex(value: uuid.UUID) -> str:
    return value.hex


# Django's bulk_create spends most of a large import preparing every value of every row
# through the field API (a 50,000-row list took ten times the file's read). The values here
# already have the fields' Python types (text, numbers, booleans, dates, None), which both
# databases' drivers adapt themselves (Django registers SQLite's date adapter), so a row is
# its columns' defaults with its own values written over them, and the rows go in by COPY on
# PostgreSQL or one executemany per batch elsewhere. Table and column names come from the
# model, never from the file.
def _insert(rows: list[dict[str, Any]], now: datetime.datetime) -> None:
    if not rows:
        return
    fields = [f for f in ChildCase._meta.concrete_fields if not f.primary_key]
    defaults: dict[str, Any] = {f.attname: f.get_default() for f in fields}
    defaults |= {"created_at": now, "updated_at": now, "last_imported_at": now}
    template = [_adapter(f)(defaults[f.attname]) for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    public_id = position["public_id"]

    def values(row: dict[str, Any], new_id: str) -> list[Any]:
        out = template.copy()
        out[public_id] = new_id
        for name, value in row.items():
            out[position[name]] = value
        return out

    with connection.cursor() as cursor:
        for batch in chunks(rows, WRITE_BATCH):
            bulk_load(
                cursor,
                connection.ops.quote_name(ChildCase._meta.db_table),
                [f.column or f.attname for f in fields],
                [
                    values(row, new_id)
                    for row, new_id in zip(batch, uuid4_hex(len(batch)), strict=True)
                ],
            )


def uuid4_hex(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as 32 hex digits, as SQLite stores them and PostgreSQL
    reads them; from one call for random bytes rather than one each, as `uuid.uuid4()` makes."""
    data = bytearray(os.urandom(16 * count))
    data[6::16] = bytes((b & 0x0F) | 0x40 for b in data[6::16])
    data[8::16] = bytes((b & 0x3F) | 0x80 for b in data[8::16])
    return [data[i : i + 16].hex() for i in range(0, 16 * count, 16)]


class _UpdateTable:
    """Changed case files, staged in a temporary table (created on first use) and written by
    one UPDATE ... FROM per kind of change: never a statement per row, on either database.
    Each kind sets only the fields that changed (so unchanged indexed columns are not
    rewritten); the rows of a kind are told apart by `kind`."""

    NAME = "import_case_update"

    def __init__(self) -> None:
        self.ready = False
        self.kinds: dict[tuple[str, ...], int] = {}

    def _create(self, cursor: Any) -> None:
        quote = connection.ops.quote_name
        table = quote(ChildCase._meta.db_table)
        cursor.execute(f"DROP TABLE IF EXISTS {self.NAME}")
        # The case files' own column types, and no rows.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.NAME} AS SELECT {quote('id')}, "  # noqa: S608
            f"{quote('id')} AS kind, {', '.join(quote(c) for c in DATA_FIELDS)} "
            f"FROM {table} WHERE 1 = 0"
        )
        self.ready = True

    def add(self, names: tuple[str, ...], rows: list[list[Any]]) -> None:
        """Rows of `[id, *values]`, the values of the fields `names`, in that order."""
        if not rows:
            return
        kind = self.kinds.setdefault(names, len(self.kinds))
        with connection.cursor() as cursor:
            if not self.ready:
                self._create(cursor)
            bulk_load(
                cursor,
                self.NAME,
                ("id", "kind", *names),
                [[row[0], kind, *row[1:]] for row in rows],
            )

    def apply(self, now: datetime.datetime) -> None:
        if not self.ready:
            return
        quote = connection.ops.quote_name
        table = quote(ChildCase._meta.db_table)
        moment = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {self.NAME}_kind ON {self.NAME} (kind, {quote('id')})")
            if connection.vendor == "postgresql":
                # A temporary table has no statistics until analysed; without them PostgreSQL
                # may join it to the case files row by row against row (minutes, not seconds).
                cursor.execute(f"ANALYZE {self.NAME}")
            for names, kind in self.kinds.items():
                assignments = "".join(f"{quote(n)} = u.{quote(n)}, " for n in names)
                cursor.execute(
                    f"UPDATE {table} SET {assignments}"  # noqa: S608
                    f"{quote('last_imported_at')} = %s, {quote('updated_at')} = %s "
                    f"FROM {self.NAME} AS u "
                    f"WHERE {table}.{quote('id')} = u.{quote('id')} AND u.kind = %s",
                    [moment, moment, kind],
                )
            cursor.execute(f"DROP TABLE IF EXISTS {self.NAME}")
        self.ready = False


def bulk_load(cursor: Any, table: str, columns: Sequence[str], rows: list[list[Any]]) -> None:
    """Rows into a table, by COPY on PostgreSQL and one executemany elsewhere. The values are
    already adapted for the database; table and column names come from code, never a file."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # COPY goes past Django's cursor, where the data version watches for writes.
        data_changed(connection)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    cursor.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
        rows,
    )


def _children(count: int) -> str:
    return "1 child has" if count == 1 else f"{count} children have"


def _close_no_longer_listed(parsed: ParsedCases, today: datetime.date) -> int:
    listed = set(parsed.records)
    stale = [
        pk
        for pk, child_id in ChildCase.objects.filter(is_open=True)
        .exclude(source_lists="")
        .values_list("id", "la_child_id")
        .iterator(chunk_size=5000)
        if child_id not in listed
    ]
    for chunk in chunks(stale, ID_CHUNK):
        ChildCase.objects.filter(id__in=chunk).update(
            is_open=False,
            closed_on=today,
            no_longer_listed_on=today,
            last_imported_at=timezone.now(),
        )
    return len(stale)
