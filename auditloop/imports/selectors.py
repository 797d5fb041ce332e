"""Reads of imports, scoped to the person asking. Imports are council-wide, so what someone may
read follows what they may import: an administrator every kind, an audit lead who oversees
every service the case lists, nobody else anything."""

from __future__ import annotations

from django.db.models import QuerySet

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import oversees_every_service
from auditloop.imports.models import ImportIssue, ImportKind, ImportRun

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
