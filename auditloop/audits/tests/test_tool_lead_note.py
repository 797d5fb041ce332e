"""A tool version's note for audit leads ("checks marked 'verify' ...") is shown to those who
edit audit tools, never to auditors answering an audit."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from auditloop.audits.models import ToolVersion
from auditloop.audits.services.tools import tool_version_draft_create
from auditloop.audits.tests.audit_factories import planned_audit
from auditloop.testing import Personas

VERIFY = "Checks marked &#x27;verify&#x27; have not been checked against the primary text"
MIGRATION = importlib.import_module(
    "auditloop.audits.migrations.0003_deep_dive_meeting_date_and_tool_lead_note"
)


def _text(p: Personas, role: str, url: str) -> str:
    response = p.client_for(p.all_roles()[role]).get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_auditor_answering_does_not_read_the_note_for_leads(p: Personas) -> None:
    audit = planned_audit(p)
    text = _text(p, "auditor", reverse("audits:edit", args=[audit.public_id]))
    assert "Answer each check from the case record." in text
    assert VERIFY not in text


def test_an_auditor_reading_the_tool_does_not_see_the_note_for_leads(p: Personas) -> None:
    text = _text(p, "auditor", reverse("audits:tool_version", args=[p.compliance_tool.public_id]))
    assert "Answer each check from the case record." in text
    assert VERIFY not in text


@pytest.mark.parametrize("role", ["moderator", "administrator"])
def test_those_who_edit_audit_tools_see_the_note_for_leads(p: Personas, role: str) -> None:
    text = _text(p, role, reverse("audits:tool_version", args=[p.compliance_tool.public_id]))
    assert "Note for audit leads" in text
    assert VERIFY in text


def test_a_new_draft_keeps_the_note_for_leads(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    assert draft.lead_note == p.compliance_tool.lead_note != ""
    assert draft.guidance == p.compliance_tool.guidance


def test_the_migration_moves_the_note_out_of_the_guidance_auditors_read(p: Personas) -> None:
    version = p.compliance_tool
    ToolVersion.objects.filter(pk=version.pk).update(
        guidance=f"Answer each check from the case record. {MIGRATION.OLD_NOTE}", lead_note=""
    )
    MIGRATION.move_verify_note_to_leads(apps, None)
    version.refresh_from_db()
    assert version.guidance == "Answer each check from the case record."
    assert version.lead_note == MIGRATION.LEAD_NOTE
    MIGRATION.move_verify_note_back(apps, None)
    version.refresh_from_db()
    assert version.guidance.endswith(MIGRATION.OLD_NOTE)
