"""Reading one cell: dates, child IDs, picklists, names and placeholders. Pure functions.

Each reader returns the value (None when missing) and a plain-English problem, or "" when
the cell was fine. Callers turn problems into issues naming the sheet, row and column.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping

# Cells that mean "nothing here" in the lists councils export.
PLACEHOLDERS = frozenset({"", "#n/a", "n/a", "na", "nan", "none", "null", "-", "--", "#ref!"})
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serials for 1 Jan 1900 .. 31 Dec 2199: anything else in a date column is not a date.
_SERIAL_MIN, _SERIAL_MAX = 1, 109_574
_WHITESPACE = re.compile(r"\s+")
_PICKLIST_PREFIX = re.compile(r"^[a-z]{1,2}\)\s*", re.IGNORECASE)
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame"})
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

type Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | None


def text(value: Cell) -> str:
    """A cell as text: non-breaking and repeated spaces collapsed, placeholders empty."""
    if value is None:
        return ""
    if value.__class__ is str:
        out = value.strip()
        # The common case, clean text, without the cost of a regular expression.
        if "  " in out or "\xa0" in out or "\t" in out or "\n" in out or "\r" in out:
            out = _WHITESPACE.sub(" ", out.replace("\xa0", " ")).strip()
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out = _WHITESPACE.sub(" ", str(value).replace("\xa0", " ")).strip()
    if len(out) <= 5 and out.casefold() in PLACEHOLDERS:
        return ""
    return out


def raw(value: Cell) -> str:
    """A cell as the person would see it, for an issue's `value`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)[:255]


def parse_date(value: Cell) -> tuple[datetime.date | None, str]:
    """An Excel date, an Excel serial number, `dd/mm/yyyy` text or an ISO date."""
    if isinstance(value, datetime.datetime):
        return value.date(), ""
    if isinstance(value, datetime.date):
        return value, ""
    if isinstance(value, bool):
        return None, "This is not a date. Enter a date like 31/03/2026."
    if isinstance(value, int | float):
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value)), ""
        return None, "This number is not a date. Enter a date like 31/03/2026."
    s = text(value)
    if not s:
        return None, ""
    if m := _DAY_FIRST.match(s):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.match(s):
        year, month, day = (int(g) for g in m.groups())
    else:
        return None, "This is not a date we can read. Enter a date like 31/03/2026."
    try:
        return datetime.date(year, month, day), ""
    except ValueError:
        return None, "This date does not exist. Check the day and month."


def parse_child_id(value: Cell) -> tuple[str | None, str]:
    """The LA child ID, always as text. A number keeps its digits, with a warning that Excel
    may have dropped leading zeros; a fraction is refused."""
    if isinstance(value, bool):
        return None, "The child ID is not an ID."
    if isinstance(value, float):
        if not value.is_integer():
            return None, "The child ID is a fraction; it cannot be an ID."
        value = int(value)
    if isinstance(value, int):
        return str(value), (
            "The child ID is stored as a number, so leading zeros may have been lost. "
            "Format the column as Text in Excel and export it again."
        )
    s = text(value)
    if not s:
        return None, "The child ID is missing, so this row was not imported."
    if len(s) > 64:
        return None, "The child ID is longer than 64 characters."
    return s, ""


def picklist_key(value: Cell) -> str:
    """A picklist answer as a lookup key: `a) Male`, `Male` and ` male ` are one answer."""
    return _PICKLIST_PREFIX.sub("", text(value)).casefold()


def parse_picklist(value: Cell, choices: Mapping[str, str]) -> tuple[str | None, str]:
    """A picklist label with or without its `a)` prefix, or a bare code, as its stored value.

    `choices` maps lower-case labels and codes to the stored value. An answer not in it is
    kept as written (without its prefix), with a warning.
    """
    key = picklist_key(value)
    if not key:
        return None, ""
    if key in choices:
        return choices[key], ""
    # "e) PR4 - Private provision" and "E1: Placement order": the code before the label.
    code = re.split(r"\s*[:]\s*|\s+-\s+", key, maxsplit=1)[0]
    if code in choices:
        return choices[code], ""
    return _PICKLIST_PREFIX.sub("", text(value)), "This answer is not one of the list's options."


def normalise_name(value: Cell) -> str:
    """A person's or team's name for matching: case folded, spaces (incl. non-breaking)
    collapsed, accents kept, titles such as `Mr` and `Dr.` removed."""
    s = unicodedata.normalize("NFKC", text(value)).casefold()
    s = re.sub(r"[.,]", " ", s)
    words = s.split()
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    name = " ".join(words)
    # "Mr -" is as empty as "-": a placeholder left once the title is gone.
    return "" if len(name) <= 5 and name in PLACEHOLDERS else name


def normalise_header(value: Cell) -> str:
    """A column header as a key: letters and digits only, case folded.

    `Age of Child (Years)`, `age of child  (years)` and `AGE OF CHILD (YEARS))` are one key.
    """
    s = unicodedata.normalize("NFKC", text(value)).casefold()
    return re.sub(r"[^0-9a-z]", "", s)


def neutralise(value: str) -> str:
    """A value made safe for a spreadsheet: text starting like a formula gets a leading `'`."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value
