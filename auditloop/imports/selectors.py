"""Reads of imports, scoped to the person asking. Imports are council-wide, so what someone may
read follows what they may import: an administrator every kind, an audit lead who oversees
every service the case lists, nobody else anything."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import oversees_every_service
from auditloop.imports.holding import imports_held
from auditloop.imports.models import ImportIssue, ImportKind, ImportRun, ImportStatus

CASE_LIST_KINDS = frozenset({ImportKind.ANNEX_A, ImportKind.SSDA903, ImportKind.CIN})


def import_kinds_open_to(staff: StaffMember) -> frozenset[str]:
    """The kinds of file `staff` may import, and so whose runs and problems they may read.

    A staff list sets roles, teams and who oversees what, so only an administrator imports
    one; case lists reallocate and close cases across the council, so an audit lead imports
    them only when they oversee every service."""
    if staff.role == Role.ADMINISTRATOR:
        return frozenset(ImportKind.values)
    if staff.role == Role.MODERATOR and oversees_every_service(staff):
        return CASE_LIST_KINDS
    return frozenset()


def import_runs_visible_to(staff: StaffMember) -> QuerySet[ImportRun]:
    """The runs `staff` may read, newest first, without the held file's bytes."""
    return (
        ImportRun.objects.filter(kind__in=sorted(import_kinds_open_to(staff)))
        .select_related("by__staff")
        .defer("content")
        .order_by("-at", "-id")
    )


def import_issues_of(run: ImportRun) -> QuerySet[ImportIssue]:
    return ImportIssue.objects.filter(run=run).order_by("id")


def import_runs_interrupted_shown(runs: Sequence[ImportRun]) -> Sequence[ImportRun]:
    """`runs`, each still "running" whose process has gone (nothing holds its lock:
    auditloop/imports/holding.py) shown as interrupted, in memory; the next import records it
    (`import_runs_interrupted_record`). No query without a running run; two at most."""
    running = [run for run in runs if run.status == ImportStatus.RUNNING]
    if not running:
        return runs
    held = imports_held(run.holder for run in running if run.holder)
    gone = [run for run in running if run.holder not in held]
    if gone:
        # A run lets go of its lock only after its last write: asked again now, one that
        # finished since it was read says so.
        still = dict(
            ImportRun.objects.filter(pk__in=[run.pk for run in gone]).values_list("pk", "status")
        )
        for run in gone:
            if still.get(run.pk) == ImportStatus.RUNNING:
                run.status = ImportStatus.INTERRUPTED
            else:
                run.refresh_from_db()
    return runs
