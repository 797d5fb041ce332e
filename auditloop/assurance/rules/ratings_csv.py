"""Reading a ratings file for `auditloop agreement --ratings FILE.csv`: a CSV with the header
`item,rater,grade`, one row for each grade a rater gave an item, grades as whole numbers on an
ordered scale (higher is better).

Pure: a path in, ratings or one clear refusal out. A refusal names the file, the row (the
header is row 1, as a spreadsheet shows it), the column and the value, and says what to do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from auditloop.assurance.rules.agreement import MAX_GRADES, Rating

COLUMNS = ("item", "rater", "grade")
HEADER = ",".join(COLUMNS)


class RatingsFileError(ValueError):
    """The file cannot be read as ratings; the message says where and what to do."""


@dataclass(frozen=True)
class RatingsFile:
    ratings: list[Rating]
    scale: tuple[int, ...]  # every whole number from the lowest grade to the highest


def _where(path: Path, row: int, column: str = "") -> str:
    return f"{path.name}, row {row}" + (f", column {column}" if column else "")


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise RatingsFileError(
            f"{path}: there is no such file. Give the path of a CSV file whose header is {HEADER}."
        ) from exc
    except IsADirectoryError as exc:
        raise RatingsFileError(
            f"{path} is a folder, not a file. Give the path of a CSV file whose header is {HEADER}."
        ) from exc
    except OSError as exc:
        raise RatingsFileError(f"{path} cannot be read ({exc.strerror}).") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise RatingsFileError(
            f"{_where(path, row)}: the file is not UTF-8 text (byte {raw[exc.start]:#04x}). "
            "Save it as CSV UTF-8 and run again."
        ) from exc


def _header(path: Path, header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    if sorted(names) != sorted(COLUMNS):
        shown = ",".join(header)
        raise RatingsFileError(
            f"{_where(path, 1)}: the header is {shown!r}; it must be {HEADER} (the three "
            "columns in any order, and no others). Name the columns so and run again."
        )
    return {name: names.index(name) for name in COLUMNS}


def _grade(path: Path, row: int, value: str, lowest: int | None, highest: int | None) -> int:
    text = value.strip()
    try:
        grade = int(text)
    except ValueError:
        raise RatingsFileError(
            f"{_where(path, row, 'grade')}: {value!r} is not a whole number. Grades are whole "
            "numbers on an ordered scale, higher is better (for example 1 for Inadequate to 4 "
            "for Outstanding): write the grade as its number and run again."
        ) from None
    if lowest is not None and grade < lowest:
        raise RatingsFileError(
            f"{_where(path, row, 'grade')}: {grade} is below the lowest grade, {lowest} "
            "(--lowest). Correct the grade, or give the scale's real lowest grade."
        )
    if highest is not None and grade > highest:
        raise RatingsFileError(
            f"{_where(path, row, 'grade')}: {grade} is above the highest grade, {highest} "
            "(--highest). Correct the grade, or give the scale's real highest grade."
        )
    return grade


def ratings_read(
    path: Path, *, lowest: int | None = None, highest: int | None = None
) -> RatingsFile:
    """The ratings in the file, and the scale they are on: every whole number from `lowest` to
    `highest` (by default the lowest and highest grade in the file), so that a grade nobody
    used still counts as a step. A row repeating an item and rater with the same grade is
    read once; with another grade it is refused."""
    if lowest is not None and highest is not None and lowest > highest:
        raise RatingsFileError(
            f"--lowest {lowest} is above --highest {highest}: give the lowest grade first."
        )
    text = _text(path)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise RatingsFileError(
            f"{path.name} is empty: it needs the header {HEADER} and a row for each grade."
        )
    columns = _header(path, rows[0])
    seen: dict[tuple[str, str], tuple[int, int]] = {}
    ratings = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(COLUMNS):
            raise RatingsFileError(
                f"{_where(path, number)}: {len(row)} values where the header has "
                f"{len(COLUMNS)} columns ({HEADER}). Each row is one grade: an item, a rater "
                "and the grade (quote a value that holds a comma)."
            )
        item, rater = row[columns["item"]].strip(), row[columns["rater"]].strip()
        for column, value in (("item", item), ("rater", rater)):
            if not value:
                raise RatingsFileError(
                    f"{_where(path, number, column)}: empty. Every row needs an item, a rater "
                    "and a grade."
                )
        grade = _grade(path, number, row[columns["grade"]], lowest, highest)
        earlier = seen.get((item, rater))
        if earlier is not None:
            first_row, first_grade = earlier
            if first_grade != grade:
                raise RatingsFileError(
                    f"{_where(path, number, 'grade')}: item {item!r} and rater {rater!r} "
                    f"already have grade {first_grade} (row {first_row}), and this row gives "
                    f"{grade}. A rater grades an item once: keep the right row, delete the "
                    "other and run again."
                )
            continue
        seen[item, rater] = (number, grade)
        ratings.append(Rating(item, rater, grade))
    if not ratings:
        raise RatingsFileError(
            f"{path.name} has the header but no grades: add a row {HEADER} for each grade given."
        )
    rows_of = {grade: number for number, grade in sorted(seen.values(), reverse=True)}
    low = min(rows_of) if lowest is None else lowest
    high = max(rows_of) if highest is None else highest
    if high - low + 1 > MAX_GRADES:
        raise RatingsFileError(
            f"{path.name}: the grades run from {low}{_row_of(rows_of, low)} to "
            f"{high}{_row_of(rows_of, high)}, a scale of {high - low + 1} grades; these "
            f"figures are for ordered scales of at most {MAX_GRADES} grades. Check those rows."
        )
    return RatingsFile(ratings=ratings, scale=tuple(range(low, high + 1)))


def _row_of(rows_of: dict[int, int], grade: int) -> str:
    return f" (row {rows_of[grade]})" if grade in rows_of else ""
