"""Background imports through Django's task framework (a database-backed queue in production)."""

from __future__ import annotations

from django.tasks import task

from auditloop.imports.models import ImportRun
from auditloop.imports.services.runs import import_run_process


@task()
def import_run_task(run_public_id: str) -> str:
    """Run one queued import; the page polls its ImportRun for progress."""
    run = ImportRun.objects.get(public_id=run_public_id)
    return str(import_run_process(run=run).status)
