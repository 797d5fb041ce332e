"""The parsers, on the real sample files and on a corpus of broken ones. No database."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest

from auditloop.cases.models import Cohort
from auditloop.imports.parsers import base
from auditloop.imports.parsers.annex_a import parse_annex_a
from auditloop.imports.parsers.base import FileRejected
from auditloop.imports.parsers.cin import parse_cin
from auditloop.imports.parsers.ssda903 import parse_ssda903
from auditloop.imports.parsers.staff import parse_staff, template_csv
from auditloop.imports.tests.builders import (
    ANNEX_A,
    BILLION_LAUGHS,
    CIN_2024,
    CIN_2026,
    EPISODES,
    HEADER,
    LIST_6_HEADERS,
    LIST_7_HEADERS,
    STAFF_CSV,
    SW_EPISODES,
    list_6,
    list_6_row,
    workbook,
    zip_bomb,
)


def test_the_sample_annex_a_gives_case_files_from_lists_3_to_9_and_recognises_the_rest() -> None:
    parsed = parse_annex_a(ANNEX_A.read_bytes())
    assert len(parsed.found) == 11
    assert sum("not a list of case files" in f for f in parsed.found) == 4
    assert parsed.rows == 39
    assert len(parsed.records) == 38
    cohorts = {r.cohort for r in parsed.records.values()}
    assert cohorts == {Cohort.CIN, Cohort.CP, Cohort.CLA, Cohort.CL}


def test_annex_a_keeps_ids_as_strings_and_warns_once_per_list_that_zeros_may_be_lost() -> None:
    parsed = parse_annex_a(ANNEX_A.read_bytes())
    assert "6537810" in parsed.records
    warnings = [i for i in parsed.issues if "leading zeros" in i.message]
    assert {i.sheet for i in warnings} == {f"List {n}" for n in range(3, 10)}
    assert all(i.row == 2 and i.column == "Child Unique ID" for i in warnings)


def test_annex_a_reads_non_breaking_spaces_in_names_and_the_list_8_typo_header() -> None:
    parsed = parse_annex_a(ANNEX_A.read_bytes())
    assert parsed.records["4653765"].worker_name == "Mathilde Cutsforth"
    assert "List 8 (Children looked after)" in parsed.found


def test_annex_a_reports_a_bad_postcode_with_sheet_row_column_and_value() -> None:
    parsed = parse_annex_a(ANNEX_A.read_bytes())
    [issue] = [i for i in parsed.issues if i.column == "Placement postcode"]
    assert (issue.sheet, issue.row, issue.value, issue.severity) == ("List 8", 3, "nope", "warning")


def test_a_child_on_several_lists_takes_the_most_specific_cohort() -> None:
    content = workbook(
        {
            "CIN": [LIST_6_HEADERS, list_6_row("A1"), list_6_row("A2")],
            "CP": [
                LIST_7_HEADERS,
                [
                    "A1",
                    "Male",
                    "WBRI",
                    "",
                    "",
                    "",
                    "01/02/2026",
                    "2026-03-01",
                    "a) Yes",
                    "",
                    "",
                    "North A",
                    "Pat",
                ],
            ],
        }
    )
    parsed = parse_annex_a(content)
    assert parsed.records["A1"].cohort == Cohort.CP
    assert parsed.records["A1"].lists == {6, 7}
    assert parsed.records["A1"].fields["last_seen_alone"] == datetime.date(2026, 3, 1)
    assert parsed.records["A2"].cohort == Cohort.CIN


def test_a_list_is_recognised_by_its_headers_whatever_the_sheet_is_called_or_where_they_start() -> (
    None
):
    messy = [h.upper().replace(" ", "  ") for h in LIST_6_HEADERS]
    messy[0] = "Child\xa0Unique ID"
    content = workbook({"Sheet1": [["Annex A, January"], [], messy, list_6_row("X9")]})
    parsed = parse_annex_a(content)
    record = parsed.records["X9"]
    assert record.cohort == Cohort.CIN
    assert record.row == 4
    assert record.fields["date_of_birth"] == datetime.date(2015, 2, 14)
    assert record.fields["opened_on"] == datetime.date(2025, 9, 1)
    assert record.fields["last_statutory_visit"] == datetime.date(2026, 3, 19)
    assert record.fields["gender"] == "Male"


def test_bad_cells_are_reported_and_the_row_is_still_loaded() -> None:
    row = list_6_row("B1", team="nan", worker="-")
    row[3] = "not a date"
    parsed = parse_annex_a(list_6(row))
    record = parsed.records["B1"]
    assert record.team_name == "" and record.worker_name == ""
    assert "date_of_birth" not in record.fields
    columns = {(i.column, i.value) for i in parsed.issues}
    assert ("Date of Birth", "not a date") in columns
    assert ("Allocated Team", "nan") in columns
    assert ("Allocated Worker", "-") in columns


def test_a_row_without_a_child_id_is_an_error_and_is_skipped() -> None:
    parsed = parse_annex_a(list_6(list_6_row(""), list_6_row("C1")))
    assert list(parsed.records) == ["C1"]
    [error] = [i for i in parsed.issues if i.severity == "error"]
    assert (error.sheet, error.row, error.column) == ("List 6", 2, "Child Unique ID")


def test_a_closed_plan_leaves_the_child_closed_unless_another_list_holds_them_open() -> None:
    closed = list_6_row("D1")
    closed[9] = "01/03/2026"
    parsed = parse_annex_a(list_6(closed))
    assert parsed.records["D1"].is_open is False
    assert parsed.records["D1"].fields["closed_on"] == datetime.date(2026, 3, 1)


def test_a_workbook_with_no_recognisable_list_is_rejected() -> None:
    with pytest.raises(FileRejected, match="No Annex A list was found"):
        parse_annex_a(workbook({"Notes": [["Name", "Phone"], ["A", "1"]]}))


def test_a_truncated_workbook_is_rejected_as_damaged() -> None:
    content = ANNEX_A.read_bytes()
    with pytest.raises(FileRejected, match="damaged or was not fully uploaded"):
        parse_annex_a(content[: len(content) // 2])


def test_a_csv_renamed_to_xlsx_is_rejected_by_its_bytes() -> None:
    with pytest.raises(FileRejected, match="CSV or text file, not an Excel workbook"):
        parse_annex_a(EPISODES.read_bytes())


def test_a_password_protected_workbook_is_rejected_with_what_to_do() -> None:
    ole = base.OLE_SIGNATURE + b"\0" * 2048
    with pytest.raises(FileRejected, match=r"password-protected.*remove the password"):
        parse_annex_a(ole)


def test_a_zip_bomb_is_refused_before_it_is_expanded() -> None:
    bomb = zip_bomb(50)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(FileRejected, match="would expand to 50 MB"):
        parse_annex_a(bomb)


def test_a_zip_past_the_size_limit_is_refused_whatever_its_ratio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(base, "MAX_EXPANDED_BYTES", 1000)
    with pytest.raises(FileRejected, match="past the 0 MB limit"):
        parse_annex_a(ANNEX_A.read_bytes())


def test_a_zip_that_is_not_a_workbook_is_rejected() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<doc/>")
    with pytest.raises(FileRejected, match="not an Excel workbook"):
        parse_annex_a(out.getvalue())


def test_the_ssda903_episodes_table_ignores_unknown_columns_and_reports_bad_codes() -> None:
    parsed = parse_ssda903(EPISODES.read_bytes(), name="episodes.csv")
    assert set(parsed.records) == {"689661", "249901"}
    assert parsed.records["689661"].fields["cla_start"] == datetime.date(2018, 12, 2)
    messages = {(i.column, i.value) for i in parsed.issues}
    assert ("TEST_COLUMN", "") in messages
    assert ("RNE", "*DUMMY*") in messages


def test_the_ssda903_header_reports_bad_upns() -> None:
    parsed = parse_ssda903(HEADER.read_bytes(), name="header.csv")
    assert sum(i.column == "UPN" for i in parsed.issues) == 5
    assert parsed.records["689661"].update_only is True


def test_social_worker_episodes_read_through_a_bom_and_crlf_and_report_a_bad_reason() -> None:
    content = SW_EPISODES.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content
    parsed = parse_ssda903(content, name="sw_episodes.csv")
    assert parsed.records["CHILD10"].worker_swe == "SW999"
    [issue] = parsed.issues
    assert (issue.row, issue.column, issue.value) == (2, "SW_REASON", "SWLAZY")


def test_a_latin_1_csv_is_rejected_with_how_to_save_it_as_utf_8() -> None:
    content = "CHILD,DECOM,DEC\nAndré,01/01/2020,\n".encode("latin-1")
    with pytest.raises(FileRejected, match=r"not in UTF-8 .*line 2.*CSV UTF-8"):
        parse_ssda903(content, name="episodes.csv")


def test_a_workbook_renamed_to_csv_is_rejected_by_its_bytes() -> None:
    with pytest.raises(FileRejected, match="is an Excel workbook, not a CSV"):
        parse_ssda903(ANNEX_A.read_bytes(), name="episodes.csv")


def test_a_csv_with_no_ssda903_columns_is_rejected() -> None:
    with pytest.raises(FileRejected, match="not an SSDA903 table"):
        parse_ssda903(b"a,b\n1,2\n", name="other.csv")


@pytest.mark.parametrize("path", [CIN_2024, CIN_2026])
def test_both_cin_census_schemas_are_read(path: Path) -> None:
    parsed = parse_cin(path.read_bytes(), name="cin.xml")
    assert set(parsed.records) == {"DfEX0000001", "child_fails_assessments"}
    assert parsed.records["DfEX0000001"].fields["gender"] == "Male"
    assert parsed.records["DfEX0000001"].fields["disability"] == "Yes"
    booleans = [i for i in parsed.issues if i.value == "false"]
    assert {i.column for i in booleans} == {"ICPCnotRequired", "ReferralNFA"}


def test_the_2024_gender_current_element_is_read_like_the_2026_sex_element() -> None:
    xml = CIN_2026.read_bytes().replace(b"<Sex>1</Sex>", b"<GenderCurrent>2</GenderCurrent>")
    parsed = parse_cin(xml, name="cin.xml")
    assert parsed.records["DfEX0000001"].fields["gender"] == "Female"


def test_a_billion_laughs_xml_is_refused_without_expanding_it() -> None:
    # The project's own check of the file's head, before any XML parser sees it.
    with pytest.raises(FileRejected, match=r"^cin\.xml declares a document type or entities, "):
        parse_cin(BILLION_LAUGHS, name="cin.xml")


def test_entities_hidden_past_the_first_bytes_are_never_expanded() -> None:
    # A small, harmless entity that the XML library itself accepts, past the 64 KB the head
    # check reads: only the project's own check of the parsed tree can refuse it.
    hidden = (
        b"<?xml version='1.0'?>"
        + b" " * 70000
        + b'<!DOCTYPE Message [<!ENTITY id "DfE0000001">]>'
        + b"<Message><Children><Child><ChildIdentifiers><LAchildID>&id;</LAchildID>"
        + b"</ChildIdentifiers></Child></Children></Message>"
    )
    with pytest.raises(FileRejected, match=r"^cin\.xml declares a document type, which a CIN "):
        parse_cin(hidden, name="cin.xml")


def test_a_billion_laughs_hidden_past_the_first_bytes_is_refused_unexpanded() -> None:
    # Past the head check, the XML library's own limit on entity expansion stops the bomb.
    padded = b"<?xml version='1.0'?>" + b" " * 70000 + BILLION_LAUGHS.split(b"?>", 1)[1]
    with pytest.raises(FileRejected, match="amplification"):
        parse_cin(padded, name="cin.xml")


def test_malformed_xml_is_rejected_with_its_line() -> None:
    content = CIN_2024.read_bytes()
    line = content[: content.index(b"</Ethnicity>")].count(b"\n") + 1
    broken = content.replace(b"</Ethnicity>", b"</Ethnic>", 1)
    with pytest.raises(FileRejected, match=rf"not well-formed XML: .*\(line {line}\)"):
        parse_cin(broken, name="cin.xml")


def test_a_truncated_xml_is_rejected() -> None:
    content = CIN_2024.read_bytes()
    with pytest.raises(FileRejected, match="not well-formed"):
        parse_cin(content[: len(content) // 2], name="cin.xml")


def test_the_staff_list_ignores_extra_columns_and_reports_rows_it_cannot_use() -> None:
    parsed = parse_staff(STAFF_CSV.encode(), name="staff.csv")
    assert [r.email for r in parsed.rows] == [
        "mary@council.example",
        "sam@council.example",
        "lee@council.example",
    ]
    errors = {(i.row, i.column) for i in parsed.issues if i.severity == "error"}
    assert errors == {(5, "email"), (6, "role")}
    assert any(i.column == "notes" for i in parsed.issues)
    assert parsed.rows[1].start_date == datetime.date(2024, 1, 8)


def test_the_staff_template_is_a_staff_list_the_parser_accepts() -> None:
    parsed = parse_staff(template_csv().encode(), name="template.csv")
    assert len(parsed.rows) == 1
    assert parsed.issues == []


def test_a_staff_list_without_its_columns_is_rejected_naming_them() -> None:
    with pytest.raises(FileRejected, match="email, role are missing"):
        parse_staff(b"name,team\nA,B\n", name="staff.csv")
