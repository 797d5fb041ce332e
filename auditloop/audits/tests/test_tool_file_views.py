"""The pages that export, import and serve the format of audit tool files."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from auditloop.audits.models import AuditTool
from auditloop.audits.selectors.tool_files import tool_document_json, tool_version_document
from auditloop.audits.services.tools import tool_version_draft_create
from auditloop.testing import Personas


def upload(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def test_an_auditor_downloads_a_published_version_as_json_and_as_xlsx(p: Personas) -> None:
    client = p.client_for(p.auditor)
    kwargs = {"public_id": p.quality_tool.public_id}

    as_json = client.get(reverse("audits:tool_version_json", kwargs=kwargs))
    as_xlsx = client.get(reverse("audits:tool_version_xlsx", kwargs=kwargs))

    assert as_json.status_code == 200
    assert as_json["Content-Disposition"] == 'attachment; filename="quality-deep-dive-v1.json"'
    assert json.loads(as_json.content)["tool"]["name"] == "Quality deep dive"
    assert as_xlsx.status_code == 200
    assert as_xlsx.content[:4] == b"PK\x03\x04"


def test_only_audit_leads_download_a_draft(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    url = reverse("audits:tool_version_json", kwargs={"public_id": draft.public_id})

    assert p.client_for(p.auditor).get(url).status_code == 404
    assert p.client_for(p.moderator).get(url).status_code == 200
    assert p.client_for(p.practitioner).get(url).status_code in {403, 404}


def test_a_lead_imports_a_file_and_lands_on_the_new_draft(p: Personas) -> None:
    document = tool_version_document(p.compliance_tool)
    document["tool"]["name"] = "Westshire dip sample"

    response = p.client_for(p.moderator).post(
        reverse("audits:tool_import"),
        {"file": upload("westshire.json", tool_document_json(document))},
    )

    draft = AuditTool.objects.get(name="Westshire dip sample").versions.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "audits:tool_version", kwargs={"public_id": draft.public_id}
    )
    assert not draft.is_published


def test_a_file_with_problems_lists_each_by_sheet_row_and_column(p: Personas) -> None:
    document = tool_version_document(p.compliance_tool)
    document["tool"]["name"] = "Westshire dip sample"
    document["sections"][0]["questions"][1]["code"] = "A 2"

    response = p.client_for(p.moderator).post(
        reverse("audits:tool_import"),
        {"file": upload("westshire.json", tool_document_json(document))},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The file has 1 problem: nothing was imported." in page
    assert "sections[0].questions[1].code" in page
    assert "Use only letters, numbers, hyphens and underscores." in page
    assert not AuditTool.objects.filter(name="Westshire dip sample").exists()


def test_a_file_of_another_type_is_refused_with_a_clear_message(p: Personas) -> None:
    response = p.client_for(p.moderator).post(
        reverse("audits:tool_import"), {"file": upload("tool.csv", b"code,text\n")}
    )

    assert "The selected file must be a .json or .xlsx file" in response.content.decode()


def test_staff_who_only_read_tools_cannot_import(p: Personas) -> None:
    url = reverse("audits:tool_import")

    assert p.client_for(p.auditor).get(url).status_code == 403
    assert p.client_for(p.moderator).get(url).status_code == 200
