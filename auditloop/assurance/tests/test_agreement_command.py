"""`auditloop agreement`: the figures from the database in use, or from a ratings CSV; an
unreadable file is refused with a clear message and exit status 2."""

from __future__ import annotations

import csv
import datetime
import io
import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import krippendorff
import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from auditloop.assurance.rules.agreement import Rating
from auditloop.assurance.rules.ratings_csv import ratings_read
from auditloop.assurance.tests.agreement_factories import cycle_make, moderated_audit
from auditloop.testing import Personas

REQUIRED = {"n_items", "n_raters", "exact", "within_one", "alpha_ordinal"}
KAPPAS = {"kappa_linear", "kappa_quadratic"}

# Two raters, twelve items: the file the README's example uses.
PAIRS = [(3, 3), (2, 3), (4, 3), (1, 1), (2, 2), (3, 2), (3, 3), (4, 4), (2, 1), (3, 2), (1, 2)]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("agreement", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def run_json(*args: str) -> dict[str, Any]:
    code, out, err = run(*args, "--json")
    assert (code, err) == (0, "")
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def write(tmp_path: Path, text: str, name: str = "ratings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pairs_file(tmp_path: Path, pairs: list[tuple[int, int]]) -> Path:
    lines = ["item,rater,grade"]
    for n, (a, b) in enumerate(pairs):
        lines += [f"q{n},auditor,{a}", f"q{n},moderator,{b}"]
    return write(tmp_path, "\n".join(lines) + "\n")


# A ratings file ----------------------------------------------------------------------------------


def test_a_ratings_file_gives_the_figures_scikit_learn_and_krippendorff_give(
    tmp_path: Path,
) -> None:
    out = run_json("--ratings", str(pairs_file(tmp_path, PAIRS)))
    assert set(out) >= REQUIRED | KAPPAS
    y1, y2 = [a for a, _ in PAIRS], [b for _, b in PAIRS]
    assert (out["n_items"], out["n_raters"]) == (11, 2)
    assert out["exact"] == pytest.approx(5 / 11, abs=1e-6)
    assert out["within_one"] == pytest.approx(1.0)
    for key, kind in (("kappa_linear", "linear"), ("kappa_quadratic", "quadratic")):
        expected = cohen_kappa_score(y1, y2, labels=[1, 2, 3, 4], weights=kind)
        assert out[key] == pytest.approx(expected, abs=1e-6)
    expected_alpha = krippendorff.alpha(
        reliability_data=[y1, y2], value_domain=[1, 2, 3, 4], level_of_measurement="ordinal"
    )
    assert out["alpha_ordinal"] == pytest.approx(expected_alpha, abs=1e-6)
    details = out["details"]["kappa_quadratic"]
    assert details["n"] == 11 and len(details["ci95"]) == 2
    assert details["reading_scale"] == "Landis and Koch (1977)"
    assert out["scale"] == [1, 4]


def test_three_raters_have_no_kappa_keys_and_an_alpha(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "item,rater,grade\n"
        + "".join(f"q{i},r{r},{(i + r) % 4 + 1}\n" for i in range(6) for r in range(3)),
    )
    out = run_json("--ratings", str(path))
    assert set(out) >= REQUIRED and not KAPPAS & set(out)
    assert out["n_raters"] == 3 and isinstance(out["alpha_ordinal"], float)


def test_one_grade_throughout_gives_null_with_the_reason_never_nan(tmp_path: Path) -> None:
    code, out, _ = run("--ratings", str(pairs_file(tmp_path, [(3, 3)] * 6)), "--json")
    assert code == 0
    assert "NaN" not in out
    parsed = json.loads(out)
    assert (parsed["exact"], parsed["kappa_linear"], parsed["alpha_ordinal"]) == (1.0, None, None)
    assert "same grade (3)" in parsed["details"]["kappa_linear"]["reason"]


def test_the_scale_can_reach_past_the_grades_used(tmp_path: Path) -> None:
    path = pairs_file(tmp_path, [(2, 3), (3, 3), (2, 2), (3, 2)])
    narrow = run_json("--ratings", str(path))
    wide = run_json("--ratings", str(path), "--lowest", "1", "--highest", "4")
    assert (narrow["scale"], wide["scale"]) == ([2, 3], [1, 4])
    # Linear kappa's expected disagreement counts steps across the whole scale.
    assert wide["kappa_linear"] == pytest.approx(
        cohen_kappa_score([2, 3, 2, 3], [3, 3, 2, 2], labels=[1, 2, 3, 4], weights="linear")
    )


def test_without_json_it_prints_a_table_and_says_why_a_figure_is_missing(
    tmp_path: Path,
) -> None:
    code, out, _ = run("--ratings", str(pairs_file(tmp_path, [(4, 3), (2, 2)])))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Agreement in ratings.csv: grades 2 to 4"
    assert lines[1] == "2 items, 2 raters"
    assert lines[2].split() == ["Figure", "Value", "95%", "interval", "N", "Reading"]
    assert any(line.strip().startswith("Exact agreement") and "50%" in line for line in lines)
    assert "No interval from 2 items: at least 5 are needed." in out


# Unreadable files --------------------------------------------------------------------------------


def refused(*args: str) -> str:
    code, out, err = run(*args, "--json")
    assert code == 2, err
    assert out == ""
    return err.strip()


def test_a_missing_file_is_refused_with_exit_2(tmp_path: Path) -> None:
    message = refused("--ratings", str(tmp_path / "nothing.csv"))
    assert message == (
        f"{tmp_path / 'nothing.csv'}: there is no such file. Give the path of a CSV file whose "
        "header is item,rater,grade."
    )


def test_a_wrong_header_names_the_row_and_the_header_it_needs(tmp_path: Path) -> None:
    path = write(tmp_path, "case,auditor,grade\nq1,a,3\n")
    assert refused("--ratings", str(path)) == (
        "ratings.csv, row 1: the header is 'case,auditor,grade'; it must be item,rater,grade "
        "(the three columns in any order, and no others). Name the columns so and run again."
    )


def test_a_grade_that_is_not_a_whole_number_names_row_column_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, "item,rater,grade\nq1,a,3\nq1,b,Good\n")
    message = refused("--ratings", str(path))
    assert message.startswith("ratings.csv, row 3, column grade: 'Good' is not a whole number.")
    assert "write the grade as its number and run again" in message
    path = write(tmp_path, "item,rater,grade\nq1,a,2.5\n", "half.csv")
    assert refused("--ratings", str(path)).startswith(
        "half.csv, row 2, column grade: '2.5' is not a whole number."
    )


@pytest.mark.parametrize("text", ["", "\n\n", "  ,  \n"])
def test_an_empty_file_is_refused(tmp_path: Path, text: str) -> None:
    assert refused("--ratings", str(write(tmp_path, text))) == (
        "ratings.csv is empty: it needs the header item,rater,grade and a row for each grade."
    )


def test_a_header_with_no_grades_is_refused(tmp_path: Path) -> None:
    assert refused("--ratings", str(write(tmp_path, "item,rater,grade\n\n"))) == (
        "ratings.csv has the header but no grades: add a row item,rater,grade for each grade given."
    )


def test_a_rater_grading_an_item_twice_differently_is_refused_naming_both_rows(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "item,rater,grade\nq1,ann,3\nq2,ann,2\nq1,ann,2\n")
    assert refused("--ratings", str(path)) == (
        "ratings.csv, row 4, column grade: item 'q1' and rater 'ann' already have grade 3 "
        "(row 2), and this row gives 2. A rater grades an item once: keep the right row, "
        "delete the other and run again."
    )


def test_the_same_grade_given_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "item,rater,grade\nq1,ann,3\nq1,bo,3\nq1,ann,3\nq2,ann,1\nq2,bo,2\n")
    out = run_json("--ratings", str(path))
    assert (out["n_items"], out["details"]["exact"]["n"]) == (2, 2)


def test_other_unreadable_rows_are_refused_with_where_and_what_to_do(tmp_path: Path) -> None:
    cases = {
        "item,rater,grade\nq1,ann\n": "ratings.csv, row 2: 2 values where the header has 3",
        "item,rater,grade\nq1,,3\n": "ratings.csv, row 2, column rater: empty.",
        "item,rater,grade\nq1,a,3\nq2,b,1000\n": "ratings.csv: the grades run from 3 (row 2) "
        "to 1000 (row 3), a scale of 998 grades",
    }
    for text, start in cases.items():
        assert refused("--ratings", str(write(tmp_path, text))).startswith(start)
    path = tmp_path / "latin1.csv"
    path.write_bytes("item,rater,grade\nq1,Zoë,3\n".encode("latin-1"))
    assert refused("--ratings", str(path)) == (
        "latin1.csv, row 2: the file is not UTF-8 text (byte 0xeb). Save it as CSV UTF-8 and "
        "run again."
    )
    path = write(tmp_path, "item,rater,grade\nq1,a,5\n")
    assert refused("--ratings", str(path), "--highest", "4").startswith(
        "ratings.csv, row 2, column grade: 5 is above the highest grade, 4 (--highest)."
    )


def test_a_spreadsheets_byte_order_mark_and_column_order_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffGrade,Item,Rater\r\n3,q1,a\r\n2,q1,b\r\n".encode())
    assert run_json("--ratings", str(path))["n_raters"] == 2


@st.composite
def ratings_files(draw: st.DrawFn) -> list[Rating]:
    names = st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]),
        min_size=1,
        max_size=8,
    )
    items = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    raters = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    return [
        Rating(item, rater, draw(st.integers(-3, 12)))
        for item in items
        for rater in raters
        if draw(st.booleans())
    ] or [Rating(items[0], raters[0], 1)]


@settings(max_examples=60, deadline=None)
@given(ratings=ratings_files())
def test_any_ratings_written_as_csv_read_back_as_they_were(ratings: list[Rating]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ratings.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["item", "rater", "grade"])
            writer.writerows(ratings)
        read = ratings_read(path)
    assert read.ratings == [Rating(r.item.strip(), r.rater.strip(), r.grade) for r in ratings]
    grades = [r.grade for r in ratings]
    assert read.scale == tuple(range(min(grades), max(grades) + 1))


# The database ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_from_the_database_it_prints_the_pooled_figures_and_each_question(p: Personas) -> None:
    for pairs in ([(3, 3), (2, 3)], [(4, 3), (2, 2)], [(1, 1), (3, 3)]):
        moderated_audit(p, grades=pairs, overall=(3, 3))
    out = run_json()
    assert set(out) >= REQUIRED | KAPPAS
    assert (out["n_items"], out["n_raters"], out["cycle"]) == (9, 2, None)
    assert out["exact"] == pytest.approx(7 / 9, abs=1e-6)
    questions = [q["question"] for q in out["by_question"]]
    assert questions == [
        "D1 Voice and lived experience",
        "D2 Assessment and analysis",
        "Overall grade",
    ]
    d1 = out["by_question"][0]
    assert set(d1) >= REQUIRED | KAPPAS
    assert d1["kappa_quadratic"] == pytest.approx(
        cohen_kappa_score([3, 4, 1], [3, 3, 1], labels=[1, 2, 3, 4], weights="quadratic"),
        abs=1e-6,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        overall_alpha = krippendorff.alpha(
            reliability_data=[[3, 3, 3], [3, 3, 3]],
            value_domain=[1, 2, 3, 4],
            level_of_measurement="ordinal",
        )
    assert overall_alpha != overall_alpha  # NaN: one grade throughout
    assert out["by_question"][2]["alpha_ordinal"] is None


@pytest.mark.django_db
def test_cycle_keeps_to_one_cycles_audits(p: Personas) -> None:
    spring = cycle_make(p, "Spring 2026", datetime.date(2026, 1, 1))
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3), cycle=spring)
    moderated_audit(p, grades=[(1, 4)], overall=(1, 4))
    out = run_json("--cycle", str(spring.public_id))
    assert out["cycle"]["name"] == "Spring 2026"
    assert (out["n_items"], out["exact"]) == (3, 1.0)
    assert run_json()["n_items"] == 5


@pytest.mark.django_db
def test_an_unknown_cycle_exits_2_and_lists_the_latest_cycles(p: Personas) -> None:
    spring = cycle_make(p, "Spring 2026", datetime.date(2026, 1, 1))
    message = refused("--cycle", "not-a-cycle")
    assert message.startswith("--cycle 'not-a-cycle': no cycle has this id.")
    assert f"{spring.public_id}  Spring 2026 (1 Jan 2026 to 1 Jul 2026)" in message


@pytest.mark.django_db
def test_an_empty_database_says_there_is_nothing_regraded_yet(p: Personas) -> None:
    out = run_json()
    assert (out["n_items"], out["exact"], out["by_question"]) == (0, None, [])
    assert (
        out["details"]["exact"]["reason"] == "No moderation of these audits has been regraded yet."
    )
    code, text, _ = run()
    assert code == 0
    assert "not enough to say" in text
    assert "No moderation of these audits has been regraded yet." in text


@pytest.mark.django_db
def test_without_json_the_database_figures_are_a_table_per_question(p: Personas) -> None:
    moderated_audit(p, grades=[(3, 3), (2, 3)], overall=(3, 2))
    code, text, _ = run()
    assert code == 0
    assert text.startswith("Agreement between auditors and moderators, every cycle")
    for heading in (
        "Every graded question and overall grade",
        "D1 Voice and lived experience",
        "Overall grade",
    ):
        assert f"\n{heading}\n" in text


def test_lowest_and_highest_without_a_ratings_file_are_refused() -> None:
    assert refused("--lowest", "1") == "--lowest and --highest describe a --ratings file's scale."
