"""Importing a training event's attendance register: a clear message per bad row, unknown staff
reported and never guessed, the whole file or nothing, and the same file twice changes nothing."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from auditloop.accounts.models import Role, StaffMember
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.imports.parsers.base import FileRejected
from auditloop.learning.models import AttendanceSource, TrainingAttendance, TrainingEvent
from auditloop.learning.rules.attendance_csv import parse_attendance
from auditloop.learning.services.training import (
    training_attendance_import,
    training_attendance_set,
)
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db
HELD = datetime.date(2026, 5, 4)


@pytest.fixture
def event(p: Personas) -> TrainingEvent:
    return TrainingEvent.objects.create(
        title="Hearing the child", held_on=HELD, created_by=p.moderator
    )


def _import(p: Personas, event: TrainingEvent, content: bytes, name: str = "register.csv"):  # type: ignore[no-untyped-def]
    return _import_by(p.moderator, event, content, name)


def _import_by(by: StaffMember, event: TrainingEvent, content: bytes, name: str = "r.csv"):  # type: ignore[no-untyped-def]
    parsed = parse_attendance(content, name=name, held_on=event.held_on, title=event.title)
    return training_attendance_import(event=event, parsed=parsed, name=name, by=by)


def _register(p: Personas) -> bytes:
    return (
        "Staff email,Name,SWE number,Attended,Event date,Event title\r\n"
        f"{p.practitioner.email},Pat Practitioner,,yes,04/05/2026,Hearing the child\r\n"
        f",Mary Manager,,Y,,\r\n"
        f"{p.auditor.email},,,no,2026-05-04,\r\n"
    ).encode()


def test_a_register_adds_those_who_attended_by_email_or_name(
    p: Personas, event: TrainingEvent
) -> None:
    outcome = _import(p, event, _register(p))
    assert outcome.change is not None and outcome.change.added == 2
    rows = TrainingAttendance.objects.filter(event=event)
    assert {a.staff for a in rows} == {p.practitioner, p.team_manager}
    assert {a.source for a in rows} == {AttendanceSource.IMPORT}


def test_the_same_register_twice_changes_nothing(p: Personas, event: TrainingEvent) -> None:
    _import(p, event, _register(p))
    events = Event.objects.count()
    outcome = _import(p, event, _register(p))
    assert outcome.change is not None
    assert (outcome.change.added, outcome.change.removed, outcome.change.unchanged) == (0, 0, 2)
    assert TrainingAttendance.objects.filter(event=event).count() == 2
    # One event row says the import ran and changed nothing.
    [ran] = Event.objects.order_by("pk")[events:]
    assert ran.verb == "training_event.attendance_import_unchanged"
    assert ran.after == {
        "status": "unchanged",
        "rows": 3,
        "errors": 0,
        "added": 0,
        "removed": 0,
        "unchanged": 2,
    }


def test_a_no_takes_someone_off_the_register(p: Personas, event: TrainingEvent) -> None:
    TrainingAttendance.objects.create(event=event, staff=p.auditor)
    outcome = _import(p, event, _register(p))
    assert outcome.change is not None and outcome.change.removed == 1
    assert not TrainingAttendance.objects.filter(event=event, staff=p.auditor).exists()


def test_an_unknown_email_is_reported_and_nothing_is_imported(
    p: Personas, event: TrainingEvent
) -> None:
    content = _register(p) + b"nobody@northshire.example,,,yes,,\r\n"
    outcome = _import(p, event, content)
    assert outcome.change is None
    assert not TrainingAttendance.objects.exists()
    [problem] = [i for i in outcome.issues if i.severity == "error"]
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "register.csv",
        5,
        "email",
        "nobody@northshire.example",
    )
    assert "nobody was guessed" in problem.message


def test_a_rejected_register_is_recorded_by_its_counts_and_names_nobody(
    p: Personas, event: TrainingEvent
) -> None:
    content = _register(p) + b"nobody@northshire.example,,,yes,,\r\n"
    _import(p, event, content)
    ran = Event.objects.get(verb="training_event.attendance_import_rejected")
    assert ran.after == {"status": "rejected", "rows": 4, "errors": 1}
    assert "nobody@" not in str(ran.after) + ran.summary
    assert not Event.objects.filter(verb="training_event.attendance_changed").exists()


def test_a_file_rejected_whole_on_the_page_is_recorded_too(
    p: Personas, event: TrainingEvent
) -> None:
    upload = SimpleUploadedFile("register.xlsx", b"PK\x03\x04 a workbook")
    p.client_for(p.moderator).post(
        reverse("learning:training_attendance_import", args=[event.public_id]), {"file": upload}
    )
    ran = Event.objects.get(verb="training_event.attendance_import_rejected")
    assert ran.after == {"status": "rejected", "errors": 1}


def test_staff_the_form_does_not_offer_cannot_be_imported(
    p: Personas, event: TrainingEvent
) -> None:
    left = make_staff("left", "Lou Left", Role.PRACTITIONER, p.north_a)
    left.is_active = False
    left.save()
    content = (
        f"email,attended\r\n{p.outsider.email},yes\r\n{left.email},yes\r\n"
        f"{p.practitioner.email},yes\r\n"
    )
    outcome = _import(p, event, content.encode())
    assert outcome.change is None
    assert not TrainingAttendance.objects.exists()
    errors = [(i.row, i.value) for i in outcome.issues if i.severity == "error"]
    assert errors == [(2, p.outsider.email), (3, left.email)]
    assert "services you oversee" in outcome.issues[0].message
    by_name = _import(p, event, b"name\r\nOlly Outsider\r\n")
    assert by_name.change is None and by_name.issues[0].column == "name"


def test_the_same_person_named_two_ways_with_both_answers_is_an_error(
    p: Personas, event: TrainingEvent
) -> None:
    content = f"email,name,attended\r\n{p.practitioner.email},,yes\r\n,Pat Practitioner,no\r\n"
    outcome = _import(p, event, content.encode())
    assert outcome.change is None
    assert not TrainingAttendance.objects.exists()
    [problem] = outcome.issues
    assert (problem.row, problem.column, problem.severity) == (3, "name", "error")
    assert "the other answer" in problem.message


def test_an_unknown_name_is_not_guessed(p: Personas, event: TrainingEvent) -> None:
    outcome = _import(p, event, b"name\r\nPat Practitionr\r\n")
    assert outcome.change is None
    assert outcome.issues[0].message.startswith("No member of staff you can mark has this name")


def test_a_bad_date_and_another_events_title_are_errors_naming_their_cells(
    p: Personas, event: TrainingEvent
) -> None:
    content = (
        "email,event_date,event_title\r\n"
        f"{p.practitioner.email},31/02/2026,\r\n"
        f"{p.team_manager.email},05/05/2026,\r\n"
        f"{p.auditor.email},,Another course\r\n"
    ).encode()
    outcome = _import(p, event, content)
    assert outcome.change is None
    found = [(i.row, i.column, i.value) for i in outcome.issues]
    assert found == [
        (2, "event_date", "31/02/2026"),
        (3, "event_date", "05/05/2026"),
        (4, "event_title", "Another course"),
    ]
    assert "This date does not exist" in outcome.issues[0].message
    assert "held on 04/05/2026" in outcome.issues[1].message


def test_a_duplicate_row_is_a_warning_and_a_contradiction_an_error(
    p: Personas, event: TrainingEvent
) -> None:
    same = f"email,attended\r\n{p.practitioner.email},yes\r\n{p.practitioner.email},yes\r\n"
    outcome = _import(p, event, same.encode())
    assert outcome.change is not None and outcome.change.added == 1
    assert [(i.row, i.severity) for i in outcome.issues] == [(3, "warning")]
    contradiction = f"email,attended\r\n{p.team_manager.email},yes\r\n{p.team_manager.email},no\r\n"
    outcome = _import(p, event, contradiction.encode())
    assert outcome.change is None
    assert outcome.issues[0].severity == "error" and "the other answer" in outcome.issues[0].message


def test_a_file_without_a_column_naming_who_is_rejected_whole(event: TrainingEvent) -> None:
    with pytest.raises(FileRejected, match="not an attendance register"):
        parse_attendance(b"person,present\r\nPat,yes\r\n", name="r.csv", held_on=HELD, title="x")


def test_a_blank_file_is_rejected(event: TrainingEvent) -> None:
    with pytest.raises(FileRejected, match="is empty"):
        parse_attendance(b"   \r\n", name="r.csv", held_on=HELD, title="x")
    with pytest.raises(FileRejected, match="no one on it"):
        parse_attendance(b"email\r\n,\r\n", name="r.csv", held_on=HELD, title="x")


def test_a_file_not_in_utf8_is_rejected_with_what_to_do(event: TrainingEvent) -> None:
    with pytest.raises(FileRejected, match=r"not in UTF-8.*CSV UTF-8"):
        parse_attendance(
            "name\r\nZoë Ward\r\n".encode("latin-1"), name="r.csv", held_on=HELD, title="x"
        )


def test_the_import_page_lists_each_problem_and_imports_nothing(
    p: Personas, event: TrainingEvent
) -> None:
    upload = SimpleUploadedFile(
        "register.csv", b"email,attended\r\nnobody@northshire.example,maybe\r\n", "text/csv"
    )
    response = p.client_for(p.moderator).post(
        reverse("learning:training_attendance_import", args=[event.public_id]), {"file": upload}
    )
    page = response.content.decode()
    assert "register.csv has problems, so nothing was imported" in page
    assert "Write yes or no (blank means yes)." in page
    assert not TrainingAttendance.objects.exists()


def test_the_import_page_imports_a_good_register_and_says_what_changed(
    p: Personas, event: TrainingEvent
) -> None:
    upload = SimpleUploadedFile("register.csv", f"email\r\n{p.practitioner.email}\r\n".encode())
    response = p.client_for(p.moderator).post(
        reverse("learning:training_attendance_import", args=[event.public_id]),
        {"file": upload},
        follow=True,
    )
    assert "Attendance imported from register.csv: 1 added" in response.content.decode()


def test_a_rejected_file_is_shown_as_an_error_on_the_upload(
    p: Personas, event: TrainingEvent
) -> None:
    upload = SimpleUploadedFile("register.xlsx", b"PK\x03\x04 a workbook")
    response = p.client_for(p.moderator).post(
        reverse("learning:training_attendance_import", args=[event.public_id]), {"file": upload}
    )
    assert "is an Excel workbook, not a CSV file" in response.content.decode()


def test_the_template_names_the_columns(p: Personas) -> None:
    response = p.client_for(p.moderator).get(reverse("learning:training_attendance_template"))
    assert response.content.decode().startswith("email,name,swe_number,attended")


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=4), max_size=8))
def test_any_register_is_read_or_rejected_whole_and_each_problem_names_a_row_of_it(
    rows: list[list[str]],
) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "attended", "event_date"])
    writer.writerows(rows)
    try:
        parsed = parse_attendance(
            out.getvalue().encode(), name="r.csv", held_on=HELD, title="Hearing the child"
        )
    except FileRejected as exc:
        assert "r.csv" in str(exc)
        return
    lines = len(rows) + 1
    for issue in parsed.issues:
        assert issue.sheet == "r.csv" and issue.row is not None and 1 <= issue.row <= lines
        assert issue.message
    assert all(2 <= row.row <= lines for row in parsed.rows)


def test_attendees_outside_the_leads_services_stay_when_the_lead_saves_the_form(
    p: Personas, event: TrainingEvent
) -> None:
    TrainingAttendance.objects.create(event=event, staff=p.outsider)
    p.client_for(p.moderator).post(
        reverse("learning:training_attendance", args=[event.public_id]),
        {"attendees": [p.practitioner.pk]},
    )
    assert set(event.attendance.values_list("staff", flat=True)) == {
        p.outsider.pk,
        p.practitioner.pk,
    }


def test_a_lead_over_another_service_is_refused_by_the_services_too(
    p: Personas, event: TrainingEvent
) -> None:
    south_lead = make_staff("southlead", "Sue Southlead", Role.MODERATOR, services=[p.south])
    with pytest.raises(Refused, match="recorded this event"):
        _import_by(south_lead, event, f"email\r\n{p.outsider.email}\r\n".encode())
    with pytest.raises(Refused, match="recorded this event"):
        training_attendance_set(event=event, staff=[p.outsider], by=south_lead)
    assert not TrainingAttendance.objects.exists()
