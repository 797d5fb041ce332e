"""Who may import what: a staff list sets roles and access, case lists change the whole
council's cases. Found by the security review: an audit lead could make themself an
administrator and end the real administrator's access with one upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.imports.models import ImportKind, ImportRun
from auditloop.imports.services.runs import import_run
from auditloop.imports.tests.builders import list_6, list_6_row
from auditloop.testing import Personas

HEADER = "name,email,swe_number,team,service,role,manager_email,start_date,end_date\n"


def _takeover(p: Personas) -> bytes:
    return (
        HEADER
        + f"Morgan Moderator,{p.moderator.email},,,North,administrator,,2020-01-06,\n"
        + f"Ada Admin,{p.administrator.email},,,,administrator,,2020-01-06,2020-02-01\n"
    ).encode()


def test_an_audit_lead_cannot_import_a_staff_list(p: Personas) -> None:
    with pytest.raises(Refused, match="Only an administrator"):
        import_run(kind=ImportKind.STAFF, files=[("s.csv", _takeover(p))], by=p.moderator)
    p.moderator.refresh_from_db()
    p.administrator.refresh_from_db()
    assert p.moderator.role == Role.MODERATOR
    assert p.administrator.is_active
    assert not ImportRun.objects.exists()


def test_the_upload_page_refuses_an_audit_leads_staff_list_against_the_kind(
    p: Personas,
) -> None:
    upload = SimpleUploadedFile("staff.csv", _takeover(p), content_type="text/csv")
    response = p.client_for(p.moderator).post(
        reverse("imports:index"), {"kind": ImportKind.STAFF, "file": upload}
    )
    assert response.status_code == 200
    assert "Only an administrator can import a staff list" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_an_audit_lead_over_only_some_services_cannot_import_case_lists(p: Personas) -> None:
    with pytest.raises(Refused, match="oversees every service"):
        import_run(
            kind=ImportKind.ANNEX_A,
            files=[("a.xlsx", list_6(list_6_row("777")))],
            by=p.moderator,
        )


def test_an_audit_lead_over_every_service_can_import_case_lists(p: Personas) -> None:
    p.moderator.services.add(p.south)
    result = import_run(
        kind=ImportKind.ANNEX_A, files=[("a.xlsx", list_6(list_6_row("777")))], by=p.moderator
    )
    assert result.status == "imported"


def test_an_administrators_own_row_is_left_alone_and_changes_are_events(p: Personas) -> None:
    csv = (
        HEADER
        + f"Ada Admin,{p.administrator.email},,,,practitioner,,2020-01-06,\n"
        + f"Pat Practitioner,{p.practitioner.email},,North A,North,practitioner,,2020-01-06,"
        + "2020-02-01\n"
    ).encode()
    result = import_run(kind=ImportKind.STAFF, files=[("s.csv", csv)], by=p.administrator)
    p.administrator.refresh_from_db()
    assert p.administrator.role == Role.ADMINISTRATOR
    assert any("your own record" in i.message for i in result.issues)
    ended = StaffMember.objects.select_related("user").get(pk=p.practitioner.pk)
    assert not ended.is_active
    assert ended.user is not None and not ended.user.is_active  # their login ends too
    event = Event.objects.get(verb="staff.updated_by_import", target_id=str(ended.public_id))
    assert event.actor == p.administrator.user
    assert event.before["is_active"] is True and event.after["is_active"] is False


def test_the_command_line_runs_as_the_operator(p: Personas) -> None:
    csv = (HEADER + "New Person,new@northshire.example,,North A,North,practitioner,,,\n").encode()
    result = import_run(kind=ImportKind.STAFF, files=[("s.csv", csv)])
    assert result.created == 1


# Reading imports follows the same rule: a run and its problem files are for those who may
# import its kind of file. Found by the trust review: any audit lead could read every run,
# staff lists included.


def _staff_list_run(p: Personas) -> ImportRun:
    csv = (HEADER + "New Person,new@northshire.example,,North A,North,practitioner,,,\n").encode()
    return import_run(kind=ImportKind.STAFF, files=[("staff.csv", csv)], by=p.administrator).runs[0]


def _case_list_run(p: Personas) -> ImportRun:
    return import_run(
        kind=ImportKind.ANNEX_A,
        files=[("annex.xlsx", list_6(list_6_row("777")))],
        by=p.administrator,
    ).runs[0]


def _run_urls(run: ImportRun) -> list[str]:
    return [
        reverse(name, args=[run.public_id])
        for name in ("imports:run", "imports:progress", "imports:issues_csv", "imports:issues_xlsx")
    ]


def _listed(p: Personas, staff: StaffMember) -> str:
    return p.client_for(staff).get(reverse("imports:index")).content.decode()


def test_an_audit_lead_over_every_service_cannot_read_a_staff_list_run(p: Personas) -> None:
    p.moderator.services.add(p.south)
    staff_run = _staff_list_run(p)
    client = p.client_for(p.moderator)
    for url in _run_urls(staff_run):
        assert client.get(url).status_code == 404, url
    assert "staff.csv" not in _listed(p, p.moderator)


def test_an_audit_lead_over_every_service_reads_case_list_runs(p: Personas) -> None:
    p.moderator.services.add(p.south)
    case_run = _case_list_run(p)
    client = p.client_for(p.moderator)
    for url in _run_urls(case_run):
        assert client.get(url).status_code == 200, url
    assert "annex.xlsx" in _listed(p, p.moderator)


def test_an_audit_lead_over_some_services_reads_no_run(p: Personas) -> None:
    runs = [_staff_list_run(p), _case_list_run(p)]
    client = p.client_for(p.moderator)  # audit lead for North only
    for run in runs:
        for url in _run_urls(run):
            assert client.get(url).status_code == 404, url
    listed = _listed(p, p.moderator)
    assert "staff.csv" not in listed and "annex.xlsx" not in listed


def test_an_administrator_reads_every_run(p: Personas) -> None:
    runs = [_staff_list_run(p), _case_list_run(p)]
    client = p.client_for(p.administrator)
    for run in runs:
        for url in _run_urls(run):
            assert client.get(url).status_code == 200, url
    listed = _listed(p, p.administrator)
    assert "staff.csv" in listed and "annex.xlsx" in listed
