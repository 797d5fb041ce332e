"""CSV lists (SSDA903 tables, the staff list) are read a row at a time; a value longer than
the csv module's field limit, an unreadable row or too many rows refuse the whole file with a
message naming file, row and column, never a traceback, and nothing is written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from auditloop.accounts.models import StaffMember
from auditloop.cases.models import ChildCase
from auditloop.imports.models import ImportKind, ImportStatus
from auditloop.imports.parsers.base import FileRejected, _long_field_index, csv_rows
from auditloop.imports.parsers.cin import parse_cin
from auditloop.imports.parsers.ssda903 import parse_ssda903
from auditloop.imports.parsers.staff import parse_staff
from auditloop.imports.services.runs import import_run
from auditloop.imports.tests.builders import CIN_2024, EPISODES

LIMIT = csv.field_size_limit()
EPISODES_HEADER = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE"


def episodes(*rows: str) -> bytes:
    return "\r\n".join([EPISODES_HEADER, *rows, ""]).encode()


def episode(child: str = "100001", place: str = "U1") -> str:
    return f"{child},01/04/2024,S,C2,N1,{place},PR1,,,"


def test_an_ssda903_value_past_the_field_limit_is_refused_naming_file_row_and_column() -> None:
    content = episodes(episode("100001"), episode("100002", place="X" * (LIMIT + 1)))
    with pytest.raises(FileRejected) as refused:
        parse_ssda903(content, name="episodes.csv")
    message = str(refused.value)
    assert message.startswith("episodes.csv, row 3, column PLACE: this value is more than")
    assert f"{LIMIT:,} characters" in message


def test_an_unclosed_quote_is_refused_at_the_row_where_it_opens() -> None:
    rows = [episode(str(100001 + n)) for n in range(5000)]
    rows[10] = '100011,01/04/2024,S,C2,"N1,U1,PR1,,,'
    with pytest.raises(FileRejected, match=r"episodes.csv, row 12, column CIN: .*quote mark"):
        parse_ssda903(episodes(*rows), name="episodes.csv")


def test_a_value_just_inside_the_limit_is_read() -> None:
    parsed = parse_ssda903(episodes(episode(place="X" * LIMIT)), name="episodes.csv")
    assert list(parsed.records) == ["100001"]


def test_the_import_command_refuses_an_over_long_value_without_a_traceback(
    db: None, tmp_path: Path
) -> None:
    path = tmp_path / "episodes.csv"
    path.write_bytes(episodes(episode("100001"), episode("100002", place="X" * 200_000)))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import", "ssda903", str(path), "--json", stdout=out)
    assert exited.value.code == 2
    data = json.loads(out.getvalue())
    assert data["status"] == ImportStatus.REJECTED
    assert "episodes.csv, row 3, column PLACE" in data["message"]
    assert ChildCase.objects.count() == 0


def test_an_over_long_value_late_in_a_real_table_writes_nothing(db: None) -> None:
    content = EPISODES.read_bytes().rstrip(b"\r\n") + b"\n" + b"999999," + b"9" * (LIMIT + 5)
    result = import_run(kind=ImportKind.SSDA903, files=[("episodes.csv", content)])
    assert result.status == ImportStatus.REJECTED
    assert "column DECOM" in result.message
    assert ChildCase.objects.count() == 0
    again = import_run(kind=ImportKind.SSDA903, files=[("episodes.csv", content)])
    assert again.status == ImportStatus.REJECTED


def test_a_staff_list_value_past_the_field_limit_is_refused(db: None) -> None:
    content = (
        "name,email,role\r\nSam Example,sam@council.example,practitioner\r\n"
        f"{'A' * (LIMIT + 1)},alex@council.example,practitioner\r\n"
    ).encode()
    result = import_run(kind=ImportKind.STAFF, files=[("staff.csv", content)])
    assert result.status == ImportStatus.REJECTED
    assert result.message.startswith("staff.csv, row 3, column name: this value is more than")
    assert not StaffMember.objects.filter(name="Sam Example").exists()


def test_a_staff_list_with_lone_carriage_returns_is_read() -> None:
    content = b"name,email,role\rSam Example,sam@council.example,practitioner\r"
    parsed = parse_staff(content, name="staff.csv")
    assert [row.email for row in parsed.rows] == ["sam@council.example"]


def test_a_csv_of_more_rows_than_the_limit_is_refused(settings: Any) -> None:
    settings.AUDITLOOP_IMPORT_MAX_ROWS = 3
    assert len(parse_ssda903(episodes(*[episode(str(n)) for n in range(1, 4)]), name="e").records)
    with pytest.raises(FileRejected, match=r"e.csv has more than 3 rows, more than the 3"):
        parse_ssda903(episodes(*[episode(str(n)) for n in range(1, 5)]), name="e.csv")


def test_rows_are_handed_over_before_the_rest_of_the_file_is_read() -> None:
    text = "a,b\r\n1,2\r\n3," + "x" * (LIMIT + 1) + "\r\n"
    rows = csv_rows(text, name="f.csv")
    assert next(rows) == (1, ["a", "b"])
    assert next(rows) == (2, ["1", "2"])
    with pytest.raises(FileRejected, match=r"f\.csv, row 3, column b"):
        next(rows)


def test_the_long_field_is_found_past_quoted_separators_and_doubled_quotes() -> None:
    assert _long_field_index('"a,b","c""d",' + "x" * 11, 10) == 2
    assert _long_field_index("a," + '"' + "y" * 11, 10) == 1
    assert _long_field_index("z" * 11, 10) == 0


cell = st.text(st.characters(codec="utf-8"), max_size=12)


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(cell, min_size=1, max_size=5), min_size=1, max_size=15),
    ending=st.sampled_from(["\r\n", "\n", "\r"]),
    quote_all=st.booleans(),
)
def test_csv_rows_reads_what_the_csv_module_wrote(
    rows: list[list[str]], ending: str, quote_all: bool
) -> None:
    # The csv module quotes a value holding a line break only if it is part of the ending.
    breaks = any("\r" in c or "\n" in c for row in rows for c in row)
    assume(quote_all or ending == "\r\n" or not breaks)
    out = io.StringIO()
    writer = (
        csv.writer(out, lineterminator=ending, quoting=csv.QUOTE_ALL)
        if quote_all
        else csv.writer(out, lineterminator=ending)
    )
    writer.writerows(rows)
    read = list(csv_rows(out.getvalue(), name="f.csv"))
    assert [cells for _, cells in read] == rows
    assert [number for number, _ in read] == list(range(1, len(rows) + 1))


def test_a_cin_census_value_past_the_csv_limit_is_an_issue_not_a_failure() -> None:
    # The census is XML, read by lxml: a long value is reported on its row like any other.
    content = CIN_2024.read_bytes()
    at = content.index(b"<LAchildID>") + len(b"<LAchildID>")
    parsed = parse_cin(content[:at] + b"9" * (LIMIT + 1) + content[at:], name="cin.xml")
    assert "The child ID is longer than 64 characters." in [i.message for i in parsed.issues]
