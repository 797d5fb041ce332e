"""Reads of imports. Imports are council-wide: the views let only administrators and audit
leads (moderators) reach them."""

from __future__ import annotations

from django.db.models import QuerySet

from auditloop.imports.models import ImportIssue, ImportRun


def import_runs_recent() -> QuerySet[ImportRun]:
    """Every import, newest first, without the held file's bytes."""
    return ImportRun.objects.select_related("by__staff").defer("content").order_by("-at", "-id")


def import_issues_of(run: ImportRun) -> QuerySet[ImportIssue]:
    return ImportIssue.objects.filter(run=run).order_by("id")
