"""The Imports pages: access, upload, background run and progress, problems and downloads."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from auditloop.cases.models import ChildCase
from auditloop.core.models import WorkerHeartbeat
from auditloop.imports.models import ImportIssue, ImportKind, ImportRun, ImportStatus
from auditloop.imports.services.runs import import_run
from auditloop.imports.tests.builders import ANNEX_A
from auditloop.testing import Personas

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


def _upload(client: Client, content: bytes, name: str = "annex.xlsx", kind: str = "annex_a") -> Any:
    return client.post(
        reverse("imports:index"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


INJECTION_CSV = (
    b"CHILD,DECOM,RNE,LS,DEC,REC\n"
    b'C1,01/01/2025,"=HYPERLINK(""http://x"")",+1,,-2\n'
    b"C2,@SUM(A1),S,C2,,\n"
)


def _run_with_issues() -> ImportRun:
    """An SSDA903 import whose problems carry values a spreadsheet would run as formulas."""
    result = import_run(kind=ImportKind.SSDA903, files=[("episodes.csv", INJECTION_CSV)])
    return result.runs[0]


def _urls(run: ImportRun) -> list[str]:
    return [
        reverse("imports:index"),
        reverse("imports:staff_template"),
        reverse("imports:run", args=[run.public_id]),
        reverse("imports:progress", args=[run.public_id]),
        reverse("imports:issues_csv", args=[run.public_id]),
        reverse("imports:issues_xlsx", args=[run.public_id]),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "moderator"])
def test_administrators_and_audit_leads_reach_every_imports_page(p: Personas, role: str) -> None:
    run = _run_with_issues()
    p.moderator.services.add(p.south)  # an audit lead for the whole council
    client = p.client_for(getattr(p, role))
    for url in _urls(run):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["practitioner", "team_manager", "auditor", "senior_leader", "board_member", "outsider"]
)
def test_other_roles_are_refused_every_imports_page(p: Personas, role: str) -> None:
    run = _run_with_issues()
    client = p.client_for(getattr(p, role))
    for url in _urls(run):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(p: Personas, anon: Client) -> None:
    run = _run_with_issues()
    for url in _urls(run):
        response = anon.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


@pytest.mark.django_db
def test_a_missing_import_is_not_found(p: Personas) -> None:
    client = p.client_for(p.administrator)
    assert client.get(reverse("imports:run", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.django_db
def test_uploading_a_workbook_imports_it_in_the_background_and_shows_the_result(
    p: Personas, immediate_tasks: None
) -> None:
    p.moderator.services.add(p.south)  # an audit lead for the whole council
    client = p.client_for(p.moderator)
    response = _upload(client, ANNEX_A.read_bytes())
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:run", args=[run.public_id])
    assert run.status == ImportStatus.IMPORTED and run.by == p.moderator.user
    assert ChildCase.objects.filter(la_child_id="4653765").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Import complete" in page
    assert "Placement postcode" in page and "nope" in page
    assert "Download them" in page


# The database worker closes its connection when it ends: a transactional test survives that.
@pytest.mark.django_db(transaction=True)
def test_a_queued_import_shows_a_progress_bar_polled_by_htmx_and_a_refresh_link(
    p: Personas, settings: Any
) -> None:
    settings.TASKS = DATABASE
    client = p.client_for(p.administrator)
    _upload(client, ANNEX_A.read_bytes())
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.QUEUED
    page = client.get(reverse("imports:run", args=[run.public_id])).content.decode()
    assert "<progress" in page and "Waiting to start" in page
    assert 'hx-trigger="every 2s"' in page
    assert "Refresh this page" in page and "http-equiv" not in page
    fragment = client.get(reverse("imports:progress", args=[run.public_id]), HTTP_HX_REQUEST="true")
    assert "<progress" in fragment.content.decode() and "HX-Refresh" not in fragment
    # The database worker picks the task up.
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED
    done = client.get(reverse("imports:progress", args=[run.public_id]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_an_unreadable_upload_is_rejected_with_its_message_and_changes_nothing(
    p: Personas, immediate_tasks: None
) -> None:
    client = p.client_for(p.administrator)
    response = _upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    page = client.get(response["Location"]).content.decode()
    assert "could not be read, so nothing was changed" in page
    assert "password-protected" in page
    assert ChildCase.objects.count() == 2  # the personas' own


@pytest.mark.django_db
def test_the_upload_form_asks_for_a_kind_and_a_file(p: Personas) -> None:
    client = p.client_for(p.administrator)
    response = client.post(reverse("imports:index"), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Select what you are importing" in page and "Select the file to import" in page
    assert ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_the_issue_downloads_neutralise_formulas(p: Personas) -> None:
    run = _run_with_issues()
    client = p.client_for(p.administrator)
    response = client.get(reverse("imports:issues_csv", args=[run.public_id]))
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = [r[4] for r in rows[1:]]
    assert "'@SUM(A1)" in values
    assert any(v.startswith("'=HYPERLINK") for v in values)
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r)
    xlsx = client.get(reverse("imports:issues_xlsx", args=[run.public_id]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'@SUM(A1)" in cells
    assert all(not c.startswith("=") for c in cells)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.django_db
def test_the_staff_template_downloads_as_csv(p: Personas) -> None:
    response = p.client_for(p.administrator).get(reverse("imports:staff_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith(
        "name,email,swe_number,team,service,role,manager_email,start_date,end_date"
    )


@pytest.mark.django_db
def test_the_imports_list_query_count_does_not_grow_with_runs(
    p: Personas, django_assert_max_num_queries: Any
) -> None:
    client = p.client_for(p.administrator)
    _run_with_issues()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("imports:index"))
    for n in range(15):
        ImportRun.objects.create(
            kind=ImportKind.STAFF, file_name=f"s{n}.csv", by=p.administrator.user
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("imports:index"))


@pytest.mark.django_db
def test_the_problems_page_query_count_does_not_grow_with_problems(
    p: Personas, django_assert_max_num_queries: Any
) -> None:
    run = _run_with_issues()
    client = p.client_for(p.administrator)
    url = reverse("imports:run", args=[run.public_id])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    ImportIssue.objects.bulk_create(
        ImportIssue(run=run, sheet="List 6", row=n, message="m", severity="warning")
        for n in range(40)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert f"{run.issues.count()} problems" in page


@pytest.mark.django_db
def test_a_queued_import_says_so_when_no_background_worker_is_alive(
    p: Personas, settings: Any
) -> None:
    settings.TASKS = DATABASE
    client = p.client_for(p.administrator)
    _upload(client, ANNEX_A.read_bytes())
    run = ImportRun.objects.get()
    page = client.get(reverse("imports:run", args=[run.public_id])).content.decode()
    assert "Waiting to start" in page
    assert "No background worker is running, so this import cannot start yet" in page
    # The polled fragment says it too, and stops saying it once a worker beats.
    progress = reverse("imports:progress", args=[run.public_id])
    assert "No background worker is running" in client.get(progress).content.decode()
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w", host="h", pid=1, started=now, seen=now)
    fragment = client.get(progress).content.decode()
    assert "Waiting to start" in fragment
    assert "No background worker is running" not in fragment


@pytest.mark.django_db
def test_a_worker_not_heard_from_for_the_stale_time_counts_as_gone(
    p: Personas, settings: Any
) -> None:
    settings.TASKS = DATABASE
    settings.AUDITLOOP_WORKER_STALE_SECONDS = 60
    long_ago = timezone.now() - timedelta(seconds=90)
    WorkerHeartbeat.objects.create(worker_id="w", host="h", pid=1, started=long_ago, seen=long_ago)
    client = p.client_for(p.administrator)
    _upload(client, ANNEX_A.read_bytes())
    run = ImportRun.objects.get()
    page = client.get(reverse("imports:run", args=[run.public_id])).content.decode()
    assert "No background worker is running" in page
