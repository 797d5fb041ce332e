"""The Annex A import, streamed: memory flat in the row count, writes set-based.

Rows are read from the workbook as they stream out of python-calamine and staged, a batch at
a time, in a temporary table (`AnnexStage`); the workbook is never held as Python objects.
Then, inside the import's one transaction, the staged rows are read back a page of children
at a time, joined to the case files they describe, and each child's rows merged
(`merge_rows`: a child on several lists takes the most specific cohort) and compared; new case
files are inserted in batches, changed ones written by one UPDATE ... FROM, and the case files
this snapshot no longer lists closed by one UPDATE ... NOT EXISTS against the staged rows.
"""

from __future__ import annotations

import datetime
import marshal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models.sql import Query
from django.utils import timezone

from auditloop.cases.models import ChildCase
from auditloop.imports.parsers.annex_a import AnnexRead
from auditloop.imports.parsers.annex_a_columns import CHILD, SEQ, StagedRow
from auditloop.imports.parsers.annex_a_merge import merge_rows
from auditloop.imports.parsers.base import IssueLog
from auditloop.imports.services.cases import DATA_FIELDS, CaseCounts, CaseWriter, bulk_load

# Staged rows read back at a time (whole children: a page never splits a child's rows).
PAGE_ROWS = 2_000


class AnnexStage:
    """A temporary table of one workbook's usable rows, one database row per list row: the
    child's ID, the row's place in the workbook, and the rest of the row packed with
    `marshal` (a staged row holds only text, numbers, booleans and None), which is several
    times quicker to write and read back than two dozen columns.

    Temporary tables belong to the connection and are never logged (PostgreSQL) nor written
    to the main database file (SQLite); `staged_annex_a` drops it whatever happens. The packed
    rows are only ever read back by the code that wrote them, on the same connection.
    """

    NAME = "import_annex_a_stage"
    COLUMNS = ("child_id", "seq", "packed")

    def __init__(self) -> None:
        self.rows = 0
        self.postgres = connection.vendor == "postgresql"

    def create(self) -> None:
        blob = "bytea" if self.postgres else "blob"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.NAME}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.NAME} "
                f"(child_id varchar(64) NOT NULL, seq integer NOT NULL, packed {blob} NOT NULL)"
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.NAME}")

    def write(self, batch: list[StagedRow]) -> None:
        """The sink `read_annex_a` streams to."""
        dumps = marshal.dumps
        rows = [[row[CHILD], row[SEQ], dumps(row)] for row in batch]
        with connection.cursor() as cursor:
            bulk_load(cursor, self.NAME, self.COLUMNS, rows)
        self.rows += len(batch)

    def index(self) -> None:
        """Built once every row is in: cheaper than keeping it up to date row by row."""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {self.NAME}_child ON {self.NAME} (child_id, seq)")
            if self.postgres:
                cursor.execute(f"ANALYZE {self.NAME}")

    def children(self) -> Iterator[tuple[list[StagedRow], tuple[Any, ...]]]:
        """Each child's staged rows in workbook order, with the child's case file (`id` and
        DATA_FIELDS, all None when there is none). A page of rows at a time."""
        quote = connection.ops.quote_name
        table = quote(ChildCase._meta.db_table)
        existing = ", ".join(f"c.{quote(name)}" for name in ("id", *DATA_FIELDS))
        select = (
            f"SELECT s.child_id, s.packed, {existing} FROM {self.NAME} AS s "  # noqa: S608
            f"LEFT JOIN {table} AS c ON c.{quote('la_child_id')} = s.child_id "
        )
        page_sql = f"{select} WHERE s.child_id > %s ORDER BY s.child_id, s.seq LIMIT %s"
        one_sql = f"{select} WHERE s.child_id = %s ORDER BY s.seq"
        loads = marshal.loads
        after = ""
        with connection.cursor() as cursor:
            while True:
                cursor.execute(page_sql, [after, PAGE_ROWS])
                rows = cursor.fetchall()
                if not rows:
                    return
                if len(rows) == PAGE_ROWS:
                    # The last child's rows may go on past the page: leave them to the next.
                    last = rows[-1][0]
                    cut = len(rows)
                    while cut and rows[cut - 1][0] == last:
                        cut -= 1
                    if cut:
                        del rows[cut:]
                    else:  # one child fills the page: read all of theirs
                        cursor.execute(one_sql, [last])
                        rows = cursor.fetchall()
                after = rows[-1][0]
                start = 0
                for end in range(1, len(rows) + 1):
                    if end == len(rows) or rows[end][0] != rows[start][0]:
                        staged = [loads(row[1]) for row in rows[start:end]]
                        yield staged, rows[start][2:]
                        start = end

    def close_no_longer_listed(self, today: datetime.date, now: datetime.datetime) -> int:
        """Close the open case files an earlier snapshot listed and this one does not, with
        one statement; their history is kept. Returns how many."""
        with connection.cursor() as cursor:
            cursor.execute(*self.close_statement(today, now))
            return int(cursor.rowcount)

    def close_statement(
        self, today: datetime.date, now: datetime.datetime
    ) -> tuple[str, list[Any]]:
        """The statement `close_no_longer_listed` runs. It reads only the case files the
        snapshot governs, through their partial index (`childcase_listed_open`), never the
        whole table: a region's database holds hundreds of thousands of other cases."""
        quote = connection.ops.quote_name
        table = quote(ChildCase._meta.db_table)
        ops = connection.ops
        day, moment = ops.adapt_datefield_value(today), ops.adapt_datetimefield_value(now)
        # SQLite would rather search the index of open cases (`is_open = 1` looks selective
        # to it, though nearly every case is open), so it is told which index to walk; it
        # refuses the statement, rather than read the whole table, if the index cannot serve.
        walk = f" INDEXED BY {quote(GOVERNED_INDEX)}" if connection.vendor == "sqlite" else ""
        return (
            f"UPDATE {table}{walk} SET {quote('is_open')} = %s, {quote('closed_on')} = %s, "  # noqa: S608
            f"{quote('no_longer_listed_on')} = %s, {quote('last_imported_at')} = %s, "
            f"{quote('updated_at')} = %s WHERE {governed_condition()} "
            f"AND NOT EXISTS (SELECT 1 FROM {self.NAME} AS s "
            f"WHERE s.child_id = {table}.{quote('la_child_id')})",
            [False, day, day, moment, moment],
        )


GOVERNED_INDEX = "childcase_listed_open"


def governed_condition() -> str:
    """The condition of the case files an Annex A snapshot governs (open, and listed by an
    earlier snapshot), as the partial index `childcase_listed_open` states it in its CREATE
    INDEX: bare column names, values written in. SQLite uses a partial index only for a
    statement whose WHERE holds the index's own terms, so the statement takes them from the
    index rather than restating them. The values are the model's, never a file's."""
    index = next(i for i in ChildCase._meta.indexes if i.name == GOVERNED_INDEX)
    query = Query(model=ChildCase, alias_cols=False)
    where = query.build_where(index.condition)
    sql, params = where.as_sql(query.get_compiler(connection=connection), connection)
    editor = connection.schema_editor()
    return str(sql % tuple(editor.quote_value(p) for p in params))


@contextmanager
def staged_annex_a() -> Iterator[AnnexStage]:
    """A staging table for one workbook, dropped afterwards whatever happens."""
    stage = AnnexStage()
    stage.create()
    try:
        yield stage
    finally:
        # A transaction being rolled back takes the table with it, and refuses statements.
        if not connection.needs_rollback:
            stage.drop()


@transaction.atomic
def annex_a_apply(
    *, stage: AnnexStage, read: AnnexRead, issues: IssueLog, today: datetime.date
) -> CaseCounts:
    """Create or refresh the case files a staged Annex A workbook describes, and close the
    open case files an earlier snapshot listed and this one does not."""
    stage.index()
    now = timezone.now()
    writer = CaseWriter(snapshot=True, now=now)
    names = ("id", *DATA_FIELDS)
    for rows, existing in stage.children():
        record = merge_rows(rows, read.sheets, issues)
        writer.add(record, None if existing[0] is None else dict(zip(names, existing, strict=True)))
    counts = writer.finish()
    counts.closed = stage.close_no_longer_listed(today, now)
    counts.updated += counts.closed
    return counts
