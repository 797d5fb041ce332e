from __future__ import annotations

import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from auditloop.imports.values import (
    EXCEL_EPOCH,
    neutralise,
    normalise_header,
    normalise_name,
    parse_child_id,
    parse_date,
    parse_picklist,
    picklist_key,
    raw,
    text,
)

GENDERS = {"male": "Male", "m": "Male", "1": "Male", "female": "Female"}
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2199, 12, 31))


@given(dates)
@example(datetime.date(1900, 1, 1))
@example(datetime.date(2199, 12, 31))
def test_a_date_reads_the_same_as_excel_date_day_first_text_iso_text_and_serial(
    day: datetime.date,
) -> None:
    assert parse_date(day) == (day, "")
    assert parse_date(datetime.datetime.combine(day, datetime.time(9))) == (day, "")
    assert parse_date(day.strftime("%d/%m/%Y")) == (day, "")
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == (day, "")
    assert parse_date(day.isoformat()) == (day, "")
    assert parse_date((day - EXCEL_EPOCH).days) == (day, "")
    assert parse_date(float((day - EXCEL_EPOCH).days)) == (day, "")


@given(st.sampled_from(["", "#N/A", "nan", "-", "  ", "N/A", "\xa0"]))
def test_placeholders_are_missing_not_problems(value: str) -> None:
    assert parse_date(value) == (None, "")
    assert text(value) == ""


@given(st.text(alphabet="abcxyz!? ", min_size=1).filter(lambda s: s.strip() not in {"", "-"}))
def test_text_that_is_not_a_date_is_a_problem_not_a_crash(value: str) -> None:
    when, problem = parse_date(value)
    assert when is None
    assert problem


def test_an_impossible_date_says_so() -> None:
    assert parse_date("31/02/2024") == (None, "This date does not exist. Check the day and month.")


@given(
    st.text(alphabet="0123456789ABCDEFXYZ-_", min_size=1, max_size=64).filter(
        lambda s: s.strip("-") != ""
    )
)
def test_a_child_id_given_as_text_is_kept_exactly(child_id: str) -> None:
    assert parse_child_id(child_id) == (child_id, "")


@given(st.integers(min_value=0, max_value=10**15))
def test_a_child_id_stored_as_a_number_keeps_its_digits_and_warns(number: int) -> None:
    for value in (number, float(number)):
        child_id, problem = parse_child_id(value)
        assert child_id == str(number)
        assert "leading zeros" in problem


def test_a_child_id_with_leading_zeros_as_text_keeps_them() -> None:
    assert parse_child_id("000123") == ("000123", "")


def test_a_missing_or_fractional_child_id_is_refused() -> None:
    assert parse_child_id("#N/A")[0] is None
    assert parse_child_id(12.5)[0] is None
    assert parse_child_id(None)[0] is None


@given(
    st.sampled_from(["Male", "male", "MALE", "m", "1"]),
    st.sampled_from(["", "a) ", "b) ", "aa) ", "A)"]),
    st.sampled_from(["", " ", "\xa0"]),
)
def test_a_picklist_answer_reads_with_or_without_its_prefix_and_as_a_code(
    label: str, prefix: str, padding: str
) -> None:
    assert parse_picklist(f"{padding}{prefix}{label}{padding}", GENDERS) == ("Male", "")


def test_an_unknown_picklist_answer_is_kept_without_its_prefix_and_warned() -> None:
    value, problem = parse_picklist("c) Prefer to self-describe", GENDERS)
    assert value == "Prefer to self-describe"
    assert problem


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé'-", min_size=1, max_size=12)


@given(st.lists(names, min_size=1, max_size=4), st.sampled_from(["", "Mr ", "Dr. ", "MS ", "mx "]))
def test_a_name_matches_whatever_its_case_spacing_and_title(words: list[str], title: str) -> None:
    plain = " ".join(words)
    messy = title + "\xa0 ".join(w.upper() for w in words) + "  "
    assert normalise_name(messy) == normalise_name(plain)


def test_a_one_word_name_that_is_a_title_is_kept() -> None:
    assert normalise_name("Miss") == "miss"


@given(
    st.sampled_from(
        [
            "Age of Child (Years)",
            "age of child  (years)",
            "AGE OF CHILD (YEARS))",
            "Age\xa0of Child (Years) ",
        ]
    )
)
def test_header_variants_share_one_key(header: str) -> None:
    assert normalise_header(header) == "ageofchildyears"


@given(st.text(min_size=1))
def test_neutralised_text_never_starts_like_a_formula(value: str) -> None:
    safe = neutralise(value)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert safe.endswith(value)


# Each branch of the cell readers, pinned with the values councils' exports actually hold.


@pytest.mark.parametrize(
    "placeholder",
    ["NULL", "null", "#REF!", "#ref!", "--", "-", "None", "NA", "na", "NaN", "#N/A", "n/a", ""],
)
def test_every_placeholder_a_council_export_uses_reads_as_missing(placeholder: str) -> None:
    assert text(placeholder) == ""
    assert text(f"  {placeholder}\xa0") == ""
    assert parse_child_id(placeholder) == (
        None,
        "The child ID is missing, so this row was not imported.",
    )


@pytest.mark.parametrize("value", ["NULLS", "#REF!!", "---", "nanny", "Non"])
def test_text_that_only_looks_like_a_placeholder_is_kept(value: str) -> None:
    assert text(value) == value


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (12, "12"),
        (12.0, "12"),
        (12.5, "12.5"),
        (0, "0"),
        (True, "True"),
        (datetime.date(2026, 3, 31), "2026-03-31"),
        (datetime.time(9, 30), "09:30:00"),
        (None, ""),
    ],
)
def test_a_cell_that_is_not_text_reads_as_the_text_it_shows(
    cell: datetime.date | datetime.time | float | None, expected: str
) -> None:
    assert text(cell) == expected


@pytest.mark.parametrize(
    ("messy", "clean"),
    [
        ("North  A", "North A"),
        ("North\xa0A", "North A"),
        ("North\tA", "North A"),
        ("North\nA", "North A"),
        ("North\rA", "North A"),
        ("North \r\n\t\xa0 A", "North A"),
        ("  North A  ", "North A"),
        ("\xa0North A\t", "North A"),
    ],
)
def test_runs_of_spaces_tabs_line_breaks_and_non_breaking_spaces_become_one_space(
    messy: str, clean: str
) -> None:
    assert text(messy) == clean


class Shouty(str):
    """A str subclass, as some spreadsheet libraries hand back."""


def test_a_str_subclass_is_read_like_text() -> None:
    assert text(Shouty(" North\xa0 A ")) == "North A"
    assert text(Shouty("NULL")) == ""


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, ""),
        (12.0, "12"),
        (12.5, "12.5"),
        (7, "7"),
        (datetime.date(2026, 3, 31), "2026-03-31"),
        (datetime.datetime(2026, 3, 31, 9, 30, tzinfo=datetime.UTC), "2026-03-31T09:30:00+00:00"),
        ("  as typed  ", "  as typed  "),
    ],
)
def test_a_cell_is_shown_in_an_issue_as_the_person_would_see_it(
    cell: datetime.date | float | str | None, expected: str
) -> None:
    assert raw(cell) == expected


def test_a_long_cell_is_cut_to_255_characters_in_an_issue() -> None:
    assert raw("x" * 300) == "x" * 255


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, datetime.date(1899, 12, 31)),
        (1.0, datetime.date(1899, 12, 31)),
        (46112, datetime.date(2026, 3, 31)),
        (46112.75, datetime.date(2026, 3, 31)),  # a date and time: the time is dropped
        (109_574, datetime.date(2199, 12, 31)),
    ],
)
def test_an_excel_serial_within_the_bounds_is_a_date(
    serial: float, expected: datetime.date
) -> None:
    assert parse_date(serial) == (expected, "")


@pytest.mark.parametrize("serial", [0, 0.5, -1, 109_575, 109_574.5, 10**9])
def test_an_excel_serial_outside_the_bounds_is_not_a_date(serial: float) -> None:
    assert parse_date(serial) == (
        None,
        "This number is not a date. Enter a date like 31/03/2026.",
    )


@pytest.mark.parametrize("flag", [True, False])
def test_a_yes_or_no_cell_is_not_a_date(flag: bool) -> None:
    assert parse_date(flag) == (None, "This is not a date. Enter a date like 31/03/2026.")


@pytest.mark.parametrize(
    "written",
    [
        "31/03/2026",
        "31.03.2026",
        "31-03-2026",
        "31/3/2026",
        "2026-03-31",
        "2026-3-31",
        "2026-03-31T09:30:00",
        "2026-03-31 09:30:00.123",
        "2026-03-31T09:30:00Z",
        " 31/03/2026\xa0",
    ],
)
def test_a_date_written_as_text_in_any_of_the_usual_ways_is_read(written: str) -> None:
    assert parse_date(written) == (datetime.date(2026, 3, 31), "")


@pytest.mark.parametrize(
    "written",
    ["03/31/2026x", "31/03/26", "2026/03/31", "31 March 2026", "2026-03-31T", "x31/03/2026"],
)
def test_a_date_written_some_other_way_says_how_to_write_it(written: str) -> None:
    assert parse_date(written) == (
        None,
        "This is not a date we can read. Enter a date like 31/03/2026.",
    )


def test_a_month_that_does_not_exist_says_so() -> None:
    assert parse_date("01/13/2026") == (None, "This date does not exist. Check the day and month.")
    assert parse_date("2026-02-30") == (None, "This date does not exist. Check the day and month.")


def test_a_child_id_of_64_characters_is_kept_and_of_65_is_refused() -> None:
    assert parse_child_id("A" * 64) == ("A" * 64, "")
    assert parse_child_id("A" * 65) == (None, "The child ID is longer than 64 characters.")


def test_a_child_id_is_read_without_its_surrounding_and_repeated_spaces() -> None:
    assert parse_child_id("  AB\xa0 123 ") == ("AB 123", "")


def test_a_child_id_refusals_and_warnings_say_why() -> None:
    assert parse_child_id(True) == (None, "The child ID is not an ID.")
    assert parse_child_id(12.5) == (None, "The child ID is a fraction; it cannot be an ID.")
    assert parse_child_id(None) == (None, "The child ID is missing, so this row was not imported.")
    assert parse_child_id(123.0) == (
        "123",
        "The child ID is stored as a number, so leading zeros may have been lost. "
        "Format the column as Text in Excel and export it again.",
    )


PLACEMENTS = {"pr4": "PR4", "e1": "E1", "private provision": "PR4-label"}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("e) PR4 - Private provision", "PR4"),
        ("PR4 - Something else entirely", "PR4"),
        ("E1: Placement order", "E1"),
        ("E1 : Placement order", "E1"),
        ("e1:Placement order", "E1"),
        ("b) E1 - Placement order - interim", "E1"),
    ],
)
def test_an_answer_with_its_code_before_its_label_is_read_by_its_code(
    answer: str, expected: str
) -> None:
    assert parse_picklist(answer, PLACEMENTS) == (expected, "")


def test_an_answer_whose_label_is_listed_is_read_by_its_label_before_its_code() -> None:
    assert parse_picklist("x) Private provision", PLACEMENTS) == ("PR4-label", "")


@pytest.mark.parametrize("answer", ["PR4-Private provision", "PR44 - Private", "Z9: Other"])
def test_an_answer_whose_code_is_not_set_apart_or_not_listed_is_kept_and_warned(
    answer: str,
) -> None:
    assert parse_picklist(answer, PLACEMENTS) == (
        answer,
        "This answer is not one of the list's options.",
    )


def test_an_empty_picklist_answer_is_missing_not_a_problem() -> None:
    assert parse_picklist("  ", GENDERS) == (None, "")
    assert parse_picklist("NULL", GENDERS) == (None, "")
    assert parse_picklist(None, GENDERS) == (None, "")


def test_an_unknown_answer_keeps_its_own_case_and_loses_only_its_prefix() -> None:
    assert parse_picklist("  AB)  Not Known ", GENDERS) == (
        "Not Known",
        "This answer is not one of the list's options.",
    )
    # Three letters are not a picklist prefix.
    assert parse_picklist("abc) Male", GENDERS) == (
        "abc) Male",
        "This answer is not one of the list's options.",
    )


@pytest.mark.parametrize("title", ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame"])
def test_every_title_is_dropped_from_a_name(title: str) -> None:
    assert normalise_name(f"{title} Jo Bloggs") == "jo bloggs"
    assert normalise_name(f"{title.upper()}. Jo Bloggs") == "jo bloggs"


def test_several_titles_are_all_dropped_but_a_name_that_is_only_titles_keeps_the_last() -> None:
    assert normalise_name("Prof. Dr. Jo Bloggs") == "jo bloggs"
    assert normalise_name("Dame") == "dame"
    assert normalise_name("Mr Mrs") == "mrs"


def test_a_name_keeps_a_word_that_merely_starts_like_a_title() -> None:
    assert normalise_name("Mrsa Bloggs") == "mrsa bloggs"
    assert normalise_name("Jo Mr Bloggs") == "jo mr bloggs"


def test_commas_and_full_stops_in_a_name_are_spaces_and_accents_are_kept() -> None:
    assert normalise_name("Bloggs,Jo") == "bloggs jo"
    assert normalise_name("J.Bloggs") == "j bloggs"
    assert normalise_name("Zoë  Ångström") == "zoë ångström"


def test_a_name_in_full_width_letters_reads_as_the_same_name() -> None:
    assert normalise_name("\uff2a\uff2f Bloggs") == "jo bloggs"
    assert normalise_header("\uff21\uff27\uff25") == "age"


def test_a_name_that_is_only_a_title_and_a_placeholder_is_missing() -> None:
    assert normalise_name("Mr -") == ""
    assert normalise_name("Dr. N/A") == ""
    assert normalise_name("NULL") == ""
    assert normalise_name("Mr #REF!") == ""
    # A real six-letter name is not a placeholder.
    assert normalise_name("Mr Nonesy") == "nonesy"


def test_a_header_keeps_only_its_letters_and_digits() -> None:
    assert normalise_header("Date of Birth (dd/mm/yyyy)") == "dateofbirthddmmyyyy"
    assert normalise_header("CP Plan: Start-Date 2") == "cpplanstartdate2"
    assert normalise_header(None) == ""


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_gets_a_leading_apostrophe(prefix: str) -> None:
    assert neutralise(f"{prefix}HYPERLINK(1)") == f"'{prefix}HYPERLINK(1)"


@pytest.mark.parametrize("value", ["North A", "a=b", "1+1", "", "'quoted", " =x"])
def test_text_that_does_not_start_like_a_formula_is_left_alone(value: str) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize(
    ("answer", "key"),
    [("a) Male", "male"), ("AA)Male", "male"), ("  MALE ", "male"), ("abc) Male", "abc) male")],
)
def test_a_picklist_key_drops_a_one_or_two_letter_prefix_and_case(answer: str, key: str) -> None:
    assert picklist_key(answer) == key
