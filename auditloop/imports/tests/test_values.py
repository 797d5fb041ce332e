from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from auditloop.imports.values import (
    EXCEL_EPOCH,
    neutralise,
    normalise_header,
    normalise_name,
    parse_child_id,
    parse_date,
    parse_picklist,
    text,
)

GENDERS = {"male": "Male", "m": "Male", "1": "Male", "female": "Female"}
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2199, 12, 31))


@given(dates)
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
