"""A staff list uploaded by an administrator asks for roles that read audits; it does not give
them. The command line (the system) gives them at once."""

from __future__ import annotations

from auditloop.accounts.models import AccessRequestStatus, Role, StaffMember
from auditloop.accounts.services.access_requests import access_request_approve
from auditloop.imports.models import ImportKind
from auditloop.imports.services.runs import import_run
from auditloop.imports.tests.builders import STAFF_CSV
from auditloop.testing import Personas


def _upload(p: Personas, content: str) -> None:
    import_run(kind=ImportKind.STAFF, files=[("staff.csv", content.encode())], by=p.administrator)


def test_an_uploaded_staff_list_asks_for_roles_that_read_audits(p: Personas) -> None:
    _upload(p, STAFF_CSV)
    lee = StaffMember.objects.get(email="lee@council.example")
    mary = StaffMember.objects.get(email="mary@council.example")
    sam = StaffMember.objects.get(email="sam@council.example")
    assert (lee.role, list(lee.services.all())) == (Role.PRACTITIONER, [])
    assert mary.role == Role.PRACTITIONER
    assert sam.role == Role.PRACTITIONER and not sam.access_requests.exists()
    asked = lee.access_requests.get(status=AccessRequestStatus.PENDING)
    assert asked.role == Role.MODERATOR
    assert [s.name for s in asked.services.all()] == ["East"]
    assert p.senior_leader.user is not None
    access_request_approve(access_request=asked, by=p.senior_leader)
    lee.refresh_from_db()
    assert lee.role == Role.MODERATOR
    assert [s.name for s in lee.services.all()] == ["East"]


def test_a_staff_list_cannot_widen_an_existing_audit_leads_services(p: Personas) -> None:
    row = "Morgan Moderator,moderator@northshire.example,,,South,moderator,,,,\n"
    _upload(p, STAFF_CSV.splitlines(keepends=True)[0] + row)
    p.moderator.refresh_from_db()
    assert list(p.moderator.services.all()) == [p.north]
    asked = p.moderator.access_requests.get()
    assert {s.name for s in asked.services.all()} == {"North", "South"}


def test_the_command_line_import_gives_roles_at_once(p: Personas) -> None:
    import_run(kind=ImportKind.STAFF, files=[("staff.csv", STAFF_CSV.encode())])
    assert StaffMember.objects.get(email="lee@council.example").role == Role.MODERATOR
