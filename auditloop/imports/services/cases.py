"""Writing case records to child case files, in bulk, inside the caller's transaction.

One read of the existing case files (by chunk of IDs), one comparison in Python, then batched
inserts and updates: the query count grows with the rows only by one per batch.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Field
from django.utils import timezone

from auditloop.cases.models import ChildCase
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
    record: CaseRecord, parsed: ParsedCases, staff: StaffIndex, teams: TeamIndex
) -> dict[str, Any]:
    values: dict[str, Any] = dict(record.fields)
    if not record.update_only:
        values["cohort"] = str(record.cohort)
        values["is_open"] = record.is_open
        if record.is_open:
            values["closed_on"] = None
        values["no_longer_listed_on"] = None
    if parsed.snapshot:
        values["source_lists"] = ",".join(str(n) for n in sorted(record.lists))
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


@transaction.atomic
def case_records_apply(*, parsed: ParsedCases, today: datetime.date) -> CaseCounts:
    """Create or refresh the case files the parsed records describe; for a snapshot, close the
    open case files an earlier snapshot listed and this one does not."""
    counts = CaseCounts()
    staff, teams = StaffIndex(), TeamIndex()
    now = timezone.now()
    existing: dict[str, dict[str, Any]] = {}
    ids = list(parsed.records)
    for chunk in chunks(ids, ID_CHUNK):
        for row in ChildCase.objects.filter(la_child_id__in=chunk).values(
            "id", "la_child_id", *DATA_FIELDS
        ):
            existing[row["la_child_id"]] = row
    to_create: list[dict[str, Any]] = []
    to_update: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    missing_for_update: list[CaseRecord] = []
    for child_id, record in parsed.records.items():
        desired = _desired(record, parsed, staff, teams)
        current = existing.get(child_id)
        if current is None:
            if record.update_only:
                missing_for_update.append(record)
                continue
            desired["la_child_id"] = child_id
            to_create.append(desired)
            continue
        if record.keeps_status:
            for name in STATUS_FIELDS:
                desired.pop(name, None)
        changes = {k: v for k, v in desired.items() if current[k] != v}
        if not changes:
            counts.unchanged += 1
            continue
        changes["id"] = current["id"]
        to_update[frozenset(changes)].append(changes)
    _insert(to_create, now)
    counts.created = len(to_create)
    for names, changed in to_update.items():
        _update(sorted(names - {"id"}), changed, now)
        counts.updated += len(changed)
    if parsed.snapshot:
        counts.closed = _close_no_longer_listed(parsed, today)
        counts.updated += counts.closed
    counts.issues.extend(teams.misses.issues())
    counts.issues.extend(staff.misses.issues())
    if missing_for_update:
        first = missing_for_update[0]
        counts.issues.append(
            Issue(
                first.sheet,
                first.row,
                "CHILD",
                "",
                f"{_children(len(missing_for_update))} in this file no case file yet, so "
                "their rows were not used (the first is shown here). Import the episodes table "
                "(or the Annex A workbook) first, then this file again.",
                "warning",
            )
        )
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


# Django's bulk_create and bulk_update spend most of a large import preparing every value of
# every row through the field API (a 50,000-row list took ten times the file's read). The
# values here already have the fields' Python types, so only the database's own adapters are
# applied, per column, and the rows go in with one executemany per batch. Table and column
# names come from the model, never from the file.
def _insert(rows: list[dict[str, Any]], now: datetime.datetime) -> None:
    if not rows:
        return
    fields = [f for f in ChildCase._meta.concrete_fields if not f.primary_key]
    defaults: dict[str, Any] = {f.attname: f.get_default() for f in fields}
    defaults |= {"created_at": now, "updated_at": now, "last_imported_at": now}
    # Each column: its name, its adapter, and its default already adapted (most rows use it).
    columns = [(f.attname, _adapter(f), _adapter(f)(defaults[f.attname])) for f in fields]
    uuid_adapter = _adapter(ChildCase._meta.get_field("public_id"))
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(ChildCase._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column or f.attname) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )

    def values(row: dict[str, Any]) -> list[Any]:
        public_id = uuid_adapter(uuid.uuid4())
        return [
            public_id if name == "public_id" else adapt(row[name]) if name in row else default
            for name, adapt, default in columns
        ]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: PostgreSQL's own bulk load, several times faster than batched INSERTs.
            copy_sql = sql.split(" VALUES ", 1)[0].replace("INSERT INTO", "COPY", 1)
            with cursor.cursor.copy(f"{copy_sql} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        for batch in chunks(rows, WRITE_BATCH):
            cursor.executemany(sql, [values(row) for row in batch])


def _update(names: list[str], rows: list[dict[str, Any]], now: datetime.datetime) -> None:
    by_name = {f.attname: f for f in ChildCase._meta.concrete_fields}
    columns = [*names, "last_imported_at", "updated_at"]
    adapters = [_adapter(by_name[n]) for n in columns]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(by_name[n].column or n)} = %s" for n in columns)
    table = quote(ChildCase._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for batch in chunks(rows, WRITE_BATCH):
            params = []
            for row in batch:
                row["last_imported_at"] = row["updated_at"] = now
                params.append(
                    [
                        *(adapt(row[n]) for n, adapt in zip(columns, adapters, strict=True)),
                        row["id"],
                    ]
                )
            cursor.executemany(sql, params)


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
