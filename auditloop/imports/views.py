"""The Imports pages: upload a file, watch it run in the background, read and download its
problems, and download the staff list template."""

from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.core.refusals import Refused, refusal_to_form
from auditloop.core.selectors import tasks_wait_for_a_worker, workers_alive
from auditloop.imports.access import IMPORT_ROLES, get_import_run_for_user
from auditloop.imports.exports import issues_csv, issues_xlsx
from auditloop.imports.forms import ImportUploadForm
from auditloop.imports.models import ImportRun, ImportStatus
from auditloop.imports.parsers.staff import template_csv
from auditloop.imports.selectors import (
    import_issues_of,
    import_runs_interrupted_shown,
    import_runs_visible_to,
)
from auditloop.imports.services.runs import import_run_queue
from auditloop.imports.tasks import import_run_task

RUNS_PER_PAGE = 20
ISSUES_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@roles_required(*IMPORT_ROLES)
def import_index(request: StaffRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = import_run_queue(
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "upload",
                content=upload.read(),
                by=request.staff,
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            import_run_task.enqueue(str(run.public_id))
            return redirect("imports:run", public_id=run.public_id)
    runs = import_runs_visible_to(request.staff)
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = import_runs_interrupted_shown(list(page.object_list))
    return render(request, "imports/index.html", {"form": form, "page": page})


def _waits_without_a_worker(run: ImportRun) -> bool:
    """A queued import with no background worker alive to take it would wait for ever: the
    page says so rather than promising progress."""
    return run.status == ImportStatus.QUEUED and tasks_wait_for_a_worker() and not workers_alive()


@roles_required(*IMPORT_ROLES)
def import_run_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    run = get_import_run_for_user(request.user, public_id)
    import_runs_interrupted_shown([run])
    page = Paginator(import_issues_of(run), ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/run.html",
        {"run": run, "page": page, "no_worker": _waits_without_a_worker(run)},
    )


@roles_required(*IMPORT_ROLES)
def import_run_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The progress bar alone, for htmx to poll; once the run ends the page reloads whole."""
    run = get_import_run_for_user(request.user, public_id)
    import_runs_interrupted_shown([run])
    response = render(
        request,
        "imports/run.html#progress",
        {"run": run, "no_worker": _waits_without_a_worker(run)},
    )
    if run.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@roles_required(*IMPORT_ROLES)
def import_issues_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    run = get_import_run_for_user(request.user, public_id)
    response = HttpResponse(
        issues_csv(run, import_issues_of(run).iterator()), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"import-problems-{run.public_id}.csv")


@roles_required(*IMPORT_ROLES)
def import_issues_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    run = get_import_run_for_user(request.user, public_id)
    response = HttpResponse(issues_xlsx(run, import_issues_of(run).iterator()), content_type=XLSX)
    return _attachment(response, f"import-problems-{run.public_id}.xlsx")


@roles_required(*IMPORT_ROLES)
def staff_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    return _attachment(response, "auditloop-staff-list-template.csv")
