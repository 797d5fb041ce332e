"""Audit tool files: export a version as JSON or xlsx, import a file as a draft, the published
JSON Schema, and the library of exemplar tools a lead can adopt as a draft.

Exporting is for whoever may read the version (drafts only for audit leads and administrators);
importing and adopting are for audit leads and administrators. The schema names no one and
holds no data, so anyone may read it.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.audits.access.tools import (
    TOOL_READ_ROLES,
    can_change_tools,
    get_tool_version_for_user,
)
from auditloop.audits.forms.tool_files import ToolFileImportForm
from auditloop.audits.selectors.tool_files import (
    SCHEMA_FILE,
    exemplar_by_slug,
    exemplars_for_list,
    tool_document_json,
    tool_document_read,
    tool_document_xlsx,
    tool_version_document,
)
from auditloop.audits.services.tool_files import (
    ToolFileProblems,
    exemplar_adopt,
    tool_file_import,
)
from auditloop.core.access import public
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message

reads = roles_required(*(Role(r) for r in TOOL_READ_ROLES))
writes = roles_required(Role.MODERATOR, Role.ADMINISTRATOR)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_name(request: HttpRequest, public_id: UUID, extension: str) -> tuple[bytes, str]:
    version = get_tool_version_for_user(request.user, public_id)
    document = tool_version_document(version)
    name = f"{slugify(version.tool.name) or 'audit-tool'}-v{version.number}.{extension}"
    body = tool_document_json(document) if extension == "json" else tool_document_xlsx(document)
    return body, name


def _download(body: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@reads
def tool_version_json(request: StaffRequest, public_id: UUID) -> HttpResponse:
    body, name = _file_name(request, public_id, "json")
    return _download(body, name, "application/json")


@reads
def tool_version_xlsx(request: StaffRequest, public_id: UUID) -> HttpResponse:
    body, name = _file_name(request, public_id, "xlsx")
    return _download(body, name, XLSX)


@public
def tool_schema(request: HttpRequest) -> HttpResponse:
    return HttpResponse(SCHEMA_FILE.read_bytes(), content_type="application/schema+json")


@writes
def tool_import(request: StaffRequest) -> HttpResponse:
    form = ToolFileImportForm(request.POST or None, request.FILES or None)
    problems = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        document = tool_document_read(upload.read(), upload.name or "")
        try:
            done = tool_file_import(
                document=document, file_name=upload.name or "", by=request.staff
            )
        except ToolFileProblems as refused:
            problems = refused.problems
            refusal_to_form(form, refused)
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            (messages.success if done.created else messages.info)(request, done.message)
            return redirect(
                reverse("audits:tool_version", kwargs={"public_id": done.version.public_id})
            )
    return render(
        request,
        "audits/tools/import.html",
        {"form": form, "problems": problems, "schema_url": reverse("audits:tool_schema")},
    )


@reads
def exemplar_list(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "audits/tools/exemplars.html",
        {"exemplars": exemplars_for_list(), "can_change": can_change_tools(request.staff)},
    )


@writes
@require_POST
def exemplar_adopt_view(request: StaffRequest, slug: str) -> HttpResponse:
    exemplar = exemplar_by_slug(slug)
    if exemplar is None:
        raise Http404("No such exemplar tool.")
    try:
        done = exemplar_adopt(exemplar=exemplar, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
        return redirect(reverse("audits:tool_exemplars"))
    (messages.success if done.created else messages.info)(request, done.message)
    return redirect(reverse("audits:tool_version", kwargs={"public_id": done.version.public_id}))


V = "tools/versions/<uuid:public_id>/"
urlpatterns = [
    path("tools/import/", tool_import, name="tool_import"),
    path("tools/schema/audit-tool-v1.json", tool_schema, name="tool_schema"),
    path("tools/exemplars/", exemplar_list, name="tool_exemplars"),
    path("tools/exemplars/<slug:slug>/adopt/", exemplar_adopt_view, name="tool_exemplar_adopt"),
    path(V + "export.json", tool_version_json, name="tool_version_json"),
    path(V + "export.xlsx", tool_version_xlsx, name="tool_version_xlsx"),
]
