"""An import run's life: the one service the web upload, the background task and the command
line share.

`import_run` reads each file, refuses an unreadable one with one message, and otherwise writes
it in one transaction, recording an ImportRun, its issues and one event. The same file twice
changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.core.events import event_record
from auditloop.imports.access import refuse_unless_can_import_kind
from auditloop.imports.holding import import_held, imports_held
from auditloop.imports.models import ImportIssue, ImportKind, ImportRun, ImportStatus
from auditloop.imports.parsers.annex_a import read_annex_a
from auditloop.imports.parsers.base import (
    FileRejected,
    Issue,
    IssueLog,
    ParsedCases,
    ParsedStaff,
)
from auditloop.imports.parsers.cin import parse_cin
from auditloop.imports.parsers.ssda903 import parse_ssda903, table_of
from auditloop.imports.parsers.staff import parse_staff
from auditloop.imports.services.annex_a import annex_a_apply, staged_annex_a
from auditloop.imports.services.cases import CaseCounts, case_records_apply
from auditloop.imports.services.staff import StaffCounts, staff_rows_apply

logger = logging.getLogger(__name__)

# Issues kept per run in the database. Each file's issues are already bounded (IssueLog keeps
# 10,000 one by one and counts the rest by kind); this is the last guard.
MAX_STORED_ISSUES = 20_000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

type ImportFile = Path | tuple[str, bytes]


@dataclass
class ImportResult:
    """What an import did, as the command line prints it (`as_json`) and the pages show it."""

    status: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    message: str = ""
    issues: list[Issue] = field(default_factory=list)
    runs: list[ImportRun] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "message": self.message,
            "issues": [i.as_dict() for i in self.issues],
        }

    @classmethod
    def combine(cls, results: list[ImportResult]) -> ImportResult:
        if len(results) == 1:
            return results[0]
        statuses = {r.status for r in results}
        status = (
            ImportStatus.REJECTED
            if statuses & {ImportStatus.REJECTED, ImportStatus.FAILED}
            else ImportStatus.IMPORTED
            if ImportStatus.IMPORTED in statuses
            else ImportStatus.UNCHANGED
        )
        return cls(
            status=str(status),
            created=sum(r.created for r in results),
            updated=sum(r.updated for r in results),
            unchanged=sum(r.unchanged for r in results),
            message=" ".join(r.message for r in results),
            issues=[i for r in results for i in r.issues],
            runs=[run for r in results for run in r.runs],
        )


def _read(file: ImportFile, kind: str) -> tuple[str, bytes | Path]:
    if isinstance(file, Path):
        # An Annex A workbook is streamed from disk; the other lists are read whole.
        return file.name, file if kind == ImportKind.ANNEX_A else file.read_bytes()
    return file


def _ssda903_order(item: tuple[str, bytes | Path]) -> int:
    content = item[1]
    try:
        return table_of(_bytes(content), name=item[0])[0].order
    except FileRejected:
        return 99


def _refuse_unless_allowed(by: StaffMember | None, kind: str) -> None:
    # `by` is None on the command line, which runs as the operator of the system.
    if by is not None:
        refuse_unless_can_import_kind(by, kind)


def import_run(
    *,
    kind: str,
    files: Sequence[ImportFile],
    by: StaffMember | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import each file in its own transaction and return what happened, combined.

    With `dry_run` every file is read, checked and compared with the case files, and the
    counts and issues are those a real import would give; then everything is rolled back.
    SSDA903 tables are read episodes first, whatever order they are given in.
    """
    ImportKind(kind)
    _refuse_unless_allowed(by, kind)
    import_runs_interrupted_record()
    loaded = [_read(f, kind) for f in files]
    if kind == ImportKind.SSDA903:
        loaded.sort(key=_ssda903_order)
    if dry_run:
        # One rolled-back transaction around them all, so a later file sees the earlier ones.
        with transaction.atomic():
            result = _import_files(kind, loaded, by)
            transaction.set_rollback(True)
        return result
    return _import_files(kind, loaded, by)


def _import_files(
    kind: str, loaded: list[tuple[str, bytes | Path]], by: StaffMember | None
) -> ImportResult:
    results = []
    for name, content in loaded:
        # Held from before the run exists until after its last write (auditloop/imports/
        # holding.py): if this process dies, the run is seen to have been interrupted.
        with import_held() as holder:
            run = _run_create(kind=kind, file_name=name, content=None, by=by, holder=holder)
            results.append(_process(run, content, by))
    return ImportResult.combine(results)


def _run_create(
    *,
    kind: str,
    file_name: str,
    content: bytes | None,
    by: StaffMember | None,
    holder: int | None = None,
) -> ImportRun:
    return ImportRun.objects.create(
        kind=kind,
        file_name=file_name[:255],
        by=actor_login(by),
        status=ImportStatus.QUEUED if holder is None else ImportStatus.RUNNING,
        holder=holder,
        content=content,
    )


def _importer(run: ImportRun) -> StaffMember | None:
    """The member of staff who queued `run` (the run keeps their login, as the event log does);
    None for the command line."""
    if run.by_id is None:
        return None
    staff = StaffMember.objects.filter(user_id=run.by_id).first()
    if staff is None:
        raise ValueError("The login that queued this import is no longer a member of staff.")
    return staff


@transaction.atomic
def import_run_queue(
    *, kind: str, file_name: str, content: bytes, by: StaffMember | None
) -> ImportRun:
    """Hold an uploaded file for a background import; `import_run_process` reads it."""
    ImportKind(kind)
    _refuse_unless_allowed(by, kind)
    run = _run_create(kind=kind, file_name=file_name, content=content, by=by)
    event_record(
        actor=run.by,
        verb="import.queued",
        target=run,
        summary=f"{run.get_kind_display()} file queued for import",
        after={"kind": kind, "file_name": run.file_name},
    )
    return run


def import_run_process(*, run: ImportRun) -> ImportResult:
    """Run a queued import (the background task calls this). A run already started is left."""
    import_runs_interrupted_record()
    with import_held() as holder:
        return _claimed_and_processed(run, holder)


def _claimed_and_processed(run: ImportRun, holder: int) -> ImportResult:
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, progress=1, holder=holder
    )
    if not claimed:
        raise ValueError("This import has already been started; it cannot be run twice.")
    run.refresh_from_db()
    content = bytes(run.content or b"")
    try:
        return _process(run, content, _importer(run))
    except Exception:
        # A fault of ours, not of the file: nothing was written; say so without the data.
        logger.exception("Import %s stopped on an unexpected error", run.public_id)
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED,
            message="The import stopped because of a fault in auditloop, not in your file. "
            "Nothing was changed. Try again later, or tell the service desk.",
            finished_at=timezone.now(),
            progress=100,
            content=None,
        )
        raise


INTERRUPTED_MESSAGE = (
    "This import was interrupted before it finished (the process running it stopped, for "
    "example when a server was restarted), so nothing was changed. Import the file again."
)


def import_runs_interrupted_record() -> int:
    """Record as interrupted each run still "running" whose process has gone (nothing holds
    its lock: auditloop/imports/holding.py), with one event each; returns how many. Its one
    transaction was rolled back with it, so it wrote nothing. Every import does this first."""
    running = list(
        ImportRun.objects.filter(status=ImportStatus.RUNNING).values_list("pk", "holder")
    )
    if not running:
        return 0
    held = imports_held(holder for _, holder in running if holder)
    recorded = 0
    for pk, holder in running:
        if holder in held:
            continue
        recorded += _interrupted_record(pk=pk, holder=holder)
    return recorded


@transaction.atomic
def _interrupted_record(*, pk: int, holder: int | None) -> int:
    # Only if it is still the same run running: one that finished meanwhile let go of its
    # lock only after its last write, so it no longer matches.
    changed = ImportRun.objects.filter(pk=pk, status=ImportStatus.RUNNING, holder=holder).update(
        status=ImportStatus.INTERRUPTED,
        message=INTERRUPTED_MESSAGE,
        finished_at=timezone.now(),
        content=None,
    )
    if changed:
        run = ImportRun.objects.get(pk=pk)
        event_record(
            actor=run.by,
            verb="import.interrupted",
            target=run,
            summary=f"{run.get_kind_display()} import interrupted: nothing was changed",
            after={"file_name": run.file_name, "digest": run.digest},
        )
    return changed


def _progress(run: ImportRun, fraction: float) -> None:
    # Outside the import's transaction, so that the page polling it sees each step.
    if not transaction.get_connection().in_atomic_block:
        ImportRun.objects.filter(pk=run.pk).update(progress=max(1, min(90, int(fraction * 90))))


def _parse(kind: str, run: ImportRun, content: bytes) -> ParsedCases | ParsedStaff:
    def progress(f: float) -> None:
        _progress(run, f * 0.7)

    if kind == ImportKind.SSDA903:
        return parse_ssda903(content, name=run.file_name, progress=progress)
    if kind == ImportKind.CIN:
        return parse_cin(content, name=run.file_name, progress=progress)
    return parse_staff(content, name=run.file_name, progress=progress)


def _previous_digest(kind: str, exclude: int) -> str:
    latest = (
        ImportRun.objects.filter(
            kind=kind, status__in=[ImportStatus.IMPORTED, ImportStatus.UNCHANGED]
        )
        .exclude(pk=exclude)
        .order_by("-at", "-id")
        .values_list("digest", flat=True)
        .first()
    )
    return latest or ""


def _bytes(content: bytes | Path) -> bytes:
    return content.read_bytes() if isinstance(content, Path) else content


def _digest(content: bytes | Path) -> str:
    if isinstance(content, Path):
        with content.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    return hashlib.sha256(content).hexdigest()


def _same_file_again(run: ImportRun) -> ImportResult:
    """The latest import of this kind was this very file: nothing to change, and its problems
    are listed again."""
    previous = ImportRun.objects.filter(kind=run.kind, digest=run.digest).exclude(pk=run.pk).first()
    result = ImportResult(
        status=ImportStatus.UNCHANGED,
        unchanged=(previous.created + previous.updated + previous.unchanged) if previous else 0,
        message=f"{run.file_name} is the same file as the last {run.get_kind_display()} "
        "import, so nothing was changed. The problems found in it then are listed again.",
        issues=[
            Issue(i.sheet, i.row, i.column, i.value, i.message, i.severity)
            for i in ImportIssue.objects.filter(run=previous).order_by("id")
        ]
        if previous
        else [],
    )
    return _finish(run, result, rows=previous.rows if previous else 0)


def _process(run: ImportRun, content: bytes | Path, by: StaffMember | None) -> ImportResult:
    kind = run.kind
    digest = _digest(content)
    ImportRun.objects.filter(pk=run.pk).update(digest=digest, status=ImportStatus.RUNNING)
    run.digest = digest
    empty = content.stat().st_size == 0 if isinstance(content, Path) else not content
    if not empty and _previous_digest(kind, run.pk) == digest:
        return _same_file_again(run)
    if kind == ImportKind.ANNEX_A:
        return _process_annex_a(run, content)
    try:
        parsed = _parse(kind, run, _bytes(content))
    except FileRejected as exc:
        result = ImportResult(status=ImportStatus.REJECTED, message=str(exc))
        return _finish(run, result, rows=0)
    _progress(run, 0.75)
    today = timezone.localdate()
    with transaction.atomic():
        counts: StaffCounts | CaseCounts
        if isinstance(parsed, ParsedStaff):
            counts = staff_rows_apply(parsed=parsed, name=run.file_name, today=today, by=by)
            rows = len(parsed.rows)
        else:
            counts = case_records_apply(parsed=parsed, today=today)
            rows = parsed.rows
        closed = counts.closed if isinstance(counts, CaseCounts) else 0
        issues = IssueLog(parsed.issues)
        issues.extend(counts.issues)
        changed = counts.created + counts.updated
        result = ImportResult(
            status=ImportStatus.IMPORTED if changed else ImportStatus.UNCHANGED,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            message=_message(
                run,
                parsed.found,
                "staff members" if isinstance(parsed, ParsedStaff) else "case files",
                counts.created,
                counts.updated,
                counts.unchanged,
                closed,
                issues,
            ),
            issues=issues.listed(),
        )
        run.closed = closed
        return _finish(run, result, rows=rows)


def _process_annex_a(run: ImportRun, content: bytes | Path) -> ImportResult:
    """Stream the workbook into a staging table (outside the transaction, so the progress
    bar moves), then write the case files from it in one transaction."""

    def progress(f: float) -> None:
        _progress(run, f * 0.7)

    issues = IssueLog()
    with staged_annex_a() as stage:
        try:
            read = read_annex_a(content, sink=stage.write, issues=issues, progress=progress)
        except FileRejected as exc:
            result = ImportResult(status=ImportStatus.REJECTED, message=str(exc))
            return _finish(run, result, rows=0)
        _progress(run, 0.75)
        with transaction.atomic():
            counts = annex_a_apply(
                stage=stage, read=read, issues=issues, today=timezone.localdate()
            )
            issues.extend(counts.issues)
            changed = counts.created + counts.updated
            result = ImportResult(
                status=ImportStatus.IMPORTED if changed else ImportStatus.UNCHANGED,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                message=_message(
                    run,
                    read.found,
                    "case files",
                    counts.created,
                    counts.updated,
                    counts.unchanged,
                    counts.closed,
                    issues,
                ),
                issues=issues.listed(),
            )
            run.closed = counts.closed
            return _finish(run, result, rows=read.rows)


def _message(
    run: ImportRun,
    found: list[str],
    what: str,
    created: int,
    updated: int,
    unchanged: int,
    closed: int,
    issues: IssueLog,
) -> str:
    parts = [f"Read {', '.join(found)} from {run.file_name}."]
    parts.append(f"{created} {what} created, {updated} updated, {unchanged} unchanged.")
    if closed:
        parts.append(
            f"{closed} open case files this list no longer includes were closed (their "
            "history is kept)."
        )
    if total := issues.total:
        errors = issues.errors
        parts.append(
            f"{total} problems to check ({errors} errors, {total - errors} "
            "warnings): the rows with errors were not imported."
            if errors
            else f"{total} warnings to check; every usable row was imported."
        )
    return " ".join(parts)


def _finish(run: ImportRun, result: ImportResult, *, rows: int) -> ImportResult:
    run.status = result.status
    run.created, run.updated, run.unchanged = result.created, result.updated, result.unchanged
    run.rows = rows
    run.message = result.message
    run.progress = 100
    run.finished_at = timezone.now()
    run.content = None
    run.save()
    stored = [
        ImportIssue(
            run=run,
            sheet=i.sheet[:255],
            row=i.row,
            column=i.column[:255],
            value=i.value[:255],
            message=i.message[:500],
            severity=i.severity,
        )
        for i in result.issues[:MAX_STORED_ISSUES]
    ]
    if len(result.issues) > MAX_STORED_ISSUES:
        stored.append(
            ImportIssue(
                run=run,
                message=f"{len(result.issues) - MAX_STORED_ISSUES} more problems were found and "
                "not listed here. Correct the ones above and import the file again to see them.",
                severity="warning",
            )
        )
    ImportIssue.objects.bulk_create(stored, batch_size=1000)
    event_record(
        actor=run.by,
        verb=f"import.{result.status}",
        target=run,
        summary=f"{run.get_kind_display()} import {result.status}: {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged",
        after={
            "file_name": run.file_name,
            "digest": run.digest,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "closed": run.closed,
            "issues": len(result.issues),
        },
    )
    result.runs = [run]
    return result
