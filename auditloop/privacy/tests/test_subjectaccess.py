"""Subject access requests: an administrator or the DPO downloads everything held about a
child or a member of staff, as a zip of a PDF and JSON, with third parties redacted, and the
request is logged."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.core.accesslog import Purpose
from auditloop.core.models import AccessLog, Event
from auditloop.learning.tests.briefing_reading import PDFTOTEXT, pdf_bytes_text
from auditloop.privacy.forms.subjectaccess import UNKNOWN_CHILD_ID
from auditloop.privacy.rules.subjectaccess import (
    CHILD_EXPORTED,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    STAFF_EXPORTED,
)
from auditloop.privacy.tests.subjectaccess_factories import (
    LEARNING,
    MOTHER,
    REPLY,
    WORRIED,
    audit_in_full,
)
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

URL = "privacy:subject_access"


def _ask_for_child(client: Client, child_id: str) -> Any:
    return client.post(reverse(URL), {"kind": "child", "la_child_id": child_id})


def _ask_for_staff(client: Client, staff: StaffMember) -> Any:
    return client.post(reverse(URL), {"kind": "staff", "staff": str(staff.public_id)})


def _unzipped(response: Any) -> tuple[bytes, dict[str, Any]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["subject-access.json", "subject-access.pdf"]
        pdf = archive.read("subject-access.pdf")
        data = json.loads(archive.read("subject-access.json"))
    return pdf, data


def test_an_administrator_downloads_a_zip_of_a_pdf_and_json_with_the_childs_audits(
    p: Personas,
) -> None:
    audit = audit_in_full(p)
    pdf, data = _unzipped(_ask_for_child(p.client_for(p.administrator), "00123"))

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5_000
    assert data["format"] == EXPORT_FORMAT
    assert data["version"] == EXPORT_VERSION
    assert data["kind"] == "child"
    assert data["case"]["la_child_id"] == "00123"
    [exported] = data["audits"]
    assert exported["public_id"] == str(audit.public_id)
    assert exported["overall_grade"] == "Good"
    assert exported["answers"][0]["compliance"] == "No"
    assert exported["answers"][0]["worried_about"].startswith("Contact with his brother")
    assert exported["actions"][0]["description"] == "Book a visit within ten days."
    assert exported["flags"][0]["reason"] == "No visit for 12 weeks."
    assert exported["feedback_replies"][0]["text"] == REPLY
    assert exported["learning_points"][0]["text"] == LEARNING


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler's pdftotext is not installed")
def test_the_pdf_reads_as_the_childs_record(p: Personas) -> None:
    audit_in_full(p)
    pdf, _ = _unzipped(_ask_for_child(p.client_for(p.data_protection), "00123"))

    text = pdf_bytes_text(pdf)
    assert "Subject access: a child's records" in text
    assert "Book a visit within ten days." in text
    assert LEARNING in text
    assert MOTHER not in text


def test_the_dpo_may_answer_a_request_too(p: Personas) -> None:
    audit_in_full(p)
    _, data = _unzipped(_ask_for_child(p.client_for(p.data_protection), "00123"))
    assert data["produced_by"] == p.data_protection.name


def test_the_child_id_is_found_ignoring_capitals_and_spaces(p: Personas) -> None:
    _, data = _unzipped(_ask_for_child(p.client_for(p.administrator), "  s-0999 "))
    assert data["case"]["public_id"] == str(p.outsider_case.public_id)


def test_another_childs_data_never_appears(p: Personas) -> None:
    audit_in_full(p)
    other = audit_in_full(p, case=p.outsider_case)
    client = p.client_for(p.outsider)
    client.get(reverse("audits:detail", args=[other.public_id]))  # a read of the other child

    response = _ask_for_child(p.client_for(p.administrator), "00123")
    _, data = _unzipped(response)

    text = json.dumps(data)
    assert str(other.public_id) not in text
    assert str(p.outsider_case.public_id) not in text
    assert "S-0999" not in text
    assert "Olly Outsider" not in text
    assert "South A" not in text
    assert b"S-0999" not in response.content


def test_a_family_members_name_is_redacted_and_staff_in_their_role_are_not(
    p: Personas,
) -> None:
    audit_in_full(p)
    _, data = _unzipped(_ask_for_child(p.client_for(p.administrator), "00123"))

    [audit] = data["audits"]
    assert MOTHER not in json.dumps(data)
    assert "Whitfield" not in audit["strengths"]
    assert audit["strengths"].startswith("Pat Practitioner saw the child alone.")
    assert "Kayden" not in audit["answers"][0]["worried_about"]
    assert audit["answers"][0]["worried_about"] != WORRIED
    assert "Mary Manager" in audit["feedback_replies"][0]["text"]
    assert audit["auditor"] == "Alex Auditor"


def test_the_request_is_logged_as_one_event_naming_the_case_by_its_public_id(
    p: Personas,
) -> None:
    audit_in_full(p)
    _unzipped(_ask_for_child(p.client_for(p.data_protection), "00123"))

    [event] = Event.objects.filter(verb="subject_access.answered")
    assert event.actor == p.data_protection.user
    assert event.target_type == "cases.childcase"
    assert event.target_id == str(p.case.public_id)
    assert event.after["kind"] == "child"
    assert "00123" not in json.dumps([event.summary, event.before, event.after, event.target_id])


def test_the_case_and_each_audit_exported_are_logged_as_read_for_subject_access(
    p: Personas,
) -> None:
    audit = audit_in_full(p)
    _unzipped(_ask_for_child(p.client_for(p.administrator), "00123"))

    reads = set(
        AccessLog.objects.filter(
            user=p.administrator.user, purpose=Purpose.SUBJECT_ACCESS
        ).values_list("target_type", "target_id")
    )
    assert reads == {
        ("cases.childcase", str(p.case.public_id)),
        ("audits.audit", str(audit.public_id)),
    }


def test_the_childs_export_lists_who_read_their_audits(p: Personas) -> None:
    audit = audit_in_full(p)
    p.client_for(p.practitioner).get(reverse("audits:detail", args=[audit.public_id]))

    _, data = _unzipped(_ask_for_child(p.client_for(p.administrator), "00123"))

    readers = {(r["by"], r["record_id"]) for r in data["access_log"]}
    assert (p.practitioner.name, str(audit.public_id)) in readers


@pytest.mark.parametrize(
    "role",
    ["practitioner", "team_manager", "auditor", "moderator", "senior_leader", "board_member"],
)
def test_only_an_administrator_or_the_dpo_may_ask(p: Personas, role: str) -> None:
    audit_in_full(p)
    client = p.client_for(getattr(p, role))

    assert client.get(reverse(URL)).status_code == 403
    assert _ask_for_child(client, "00123").status_code == 403
    assert not Event.objects.filter(verb="subject_access.answered").exists()


def test_an_unknown_child_id_gets_a_clear_message_and_nothing_is_logged(p: Personas) -> None:
    response = _ask_for_child(p.client_for(p.administrator), "99999")

    assert response.status_code == 200
    page = response.content.decode()
    assert UNKNOWN_CHILD_ID in page
    assert "<title>Error: Subject access request" in page
    assert not Event.objects.filter(verb="subject_access.answered").exists()


def test_a_missing_id_or_staff_member_is_asked_for(p: Personas) -> None:
    client = p.client_for(p.administrator)
    assert "Enter the child&#x27;s LA child ID" in _ask_for_child(client, " ").content.decode()
    response = client.post(reverse(URL), {"kind": "staff"})
    assert "Choose the member of staff" in response.content.decode()


def test_the_childs_id_is_never_in_the_download_name(p: Personas) -> None:
    response = _ask_for_child(p.client_for(p.administrator), "00123")
    disposition = response["Content-Disposition"]
    assert "00123" not in disposition
    assert disposition.startswith('attachment; filename="subject-access-child-')
    assert response["Cache-Control"] == "no-store"


def test_a_staff_members_export_holds_their_record_audits_reads_and_sign_ins(
    p: Personas,
) -> None:
    audit = audit_in_full(p)
    p.client_for(p.practitioner).get(reverse("audits:detail", args=[audit.public_id]))

    response = _ask_for_staff(p.client_for(p.administrator), p.practitioner)
    pdf, data = _unzipped(response)

    assert pdf.startswith(b"%PDF-")
    assert data["kind"] == "staff"
    assert data["staff_member"]["name"] == "Pat Practitioner"
    assert data["staff_member"]["login"]["username"] == "practitioner"
    assert data["staff_member"]["login"]["last_sign_in"] is not None
    [theirs] = data["audits"]
    assert theirs["their_part"] == ["practitioner"]
    assert theirs["case"] == str(p.case.public_id)
    assert data["actions"][0]["owned_by_them"] is True
    assert data["feedback_replies"][0]["text"] == REPLY
    assert any(r["record_id"] == str(audit.public_id) for r in data["reads"])
    # The child is a third party here: named by the case's public id, never the LA child ID.
    assert "00123" not in json.dumps(data)
    assert MOTHER not in json.dumps(data)
    [event] = Event.objects.filter(verb="subject_access.answered")
    assert (event.target_type, event.target_id) == (
        "accounts.staffmember",
        str(p.practitioner.public_id),
    )


def test_a_staff_members_export_holds_the_events_they_caused(p: Personas) -> None:
    client = p.client_for(p.administrator)
    _unzipped(_ask_for_child(client, "00123"))

    _, data = _unzipped(_ask_for_staff(client, p.administrator))

    assert "Subject access request answered" in {e["what"] for e in data["events_caused"]}


def test_the_index_links_to_the_form(p: Personas) -> None:
    page = p.client_for(p.data_protection).get(reverse("privacy:index")).content.decode()
    assert reverse(URL) in page


def test_each_model_said_to_be_exported_has_its_place_in_the_json(p: Personas) -> None:
    audit_in_full(p)
    client = p.client_for(p.administrator)
    _, child = _unzipped(_ask_for_child(client, "00123"))
    _, staff = _unzipped(_ask_for_staff(client, p.practitioner))

    for data, exported in ((child, CHILD_EXPORTED), (staff, STAFF_EXPORTED)):
        for model, place in exported.items():
            key, _, inner = place.partition(".")
            key = key.removesuffix("[]")
            assert key in data, f"{model}: {place}"
            if inner and key == "audits":
                assert inner in data["audits"][0], f"{model}: {place}"
            elif inner:
                assert inner in data[key], f"{model}: {place}"


def test_an_empty_form_sent_is_told_what_to_choose(p: Personas) -> None:
    response = p.client_for(p.administrator).post(reverse(URL), {})
    assert "Choose whether the request is for a child or staff" in response.content.decode()
    assert not Event.objects.filter(verb="subject_access.answered").exists()
