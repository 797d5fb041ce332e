"""The inspection pack's pure decisions: which periods may be asked for, what a revisit's
outcome is called, and how the file is named. No ORM here."""

from __future__ import annotations

import datetime
from enum import StrEnum

# The longest period a pack covers: an inspection looks back over the last few years at most,
# and a longer pack would be a bulk export of the council's audits rather than an evidence pack.
MAX_YEARS = 3


class PackFormat(StrEnum):
    """What a download holds. The workbook has every part on its own sheet; a CSV file holds one
    table, so each part is its own download."""

    XLSX = "xlsx"
    AUDITS_CSV = "audits-csv"
    SUMMARY_CSV = "summary-csv"
    ACTIONS_CSV = "actions-csv"

    @property
    def names_audits(self) -> bool:
        """Whether the file names audits (the summary names none): each is then a read of a
        child's audit, logged."""
        return self != PackFormat.SUMMARY_CSV

    @property
    def extension(self) -> str:
        return "xlsx" if self == PackFormat.XLSX else "csv"


FORMAT_LABELS = {
    PackFormat.XLSX: "Excel workbook (xlsx): the summary, every audit and every action",
    PackFormat.AUDITS_CSV: "CSV: every audit, one row each",
    PackFormat.SUMMARY_CSV: "CSV: the summary figures",
    PackFormat.ACTIONS_CSV: "CSV: every action, one row each",
}


def years_on(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (29 February becomes 28 February in a year without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_problems(
    starts_on: datetime.date | None, ends_on: datetime.date | None, *, today: datetime.date
) -> dict[str, str]:
    """What is wrong with the period, by the field it belongs to ("starts_on", "ends_on");
    empty when it may be asked for. Both days are included in the period. A day missing (or
    not a real date: the form says so) is left out of the checks that need both."""
    problems: dict[str, str] = {}
    if starts_on is not None and starts_on > today:
        problems["starts_on"] = "The start of the period must be today or in the past"
    if ends_on is not None and ends_on > today:
        problems["ends_on"] = "The end of the period must be today or in the past"
    if problems or starts_on is None or ends_on is None:
        return problems
    if starts_on > ends_on:
        problems["starts_on"] = "The start of the period must be the same as or before its end"
    elif ends_on >= years_on(starts_on, MAX_YEARS):
        problems["ends_on"] = (
            f"The period must be {MAX_YEARS} years or shorter: "
            f"end it before {years_on(starts_on, MAX_YEARS):%-d %B %Y}"
        )
    return problems


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last twelve months, today included."""
    return years_on(today, -1) + datetime.timedelta(days=1), today


class RevisitOutcome(StrEnum):
    IMPROVED = "Improved"
    SAME = "The same"
    WORSE = "Worse"
    NOT_COMPARABLE = "Done, not comparable"
    HIDDEN = "Done, grade hidden while you regrade blind"
    NOT_SHOWN = "Done, in an audit you may not read"
    OVERDUE = "Overdue"
    DUE = "Due"
    NOT_SCHEDULED = "Not scheduled"


def revisit_outcome(
    *,
    done: bool,
    steps: int | None,
    hidden: bool,
    due_on: datetime.date | None,
    today: datetime.date,
) -> RevisitOutcome:
    """The outcome of an audit's latest revisit: `steps` is the change in the overall grade that
    counts, in places on the earlier audit's scale (None when either has no grade)."""
    if not done:
        if due_on is not None and due_on < today:
            return RevisitOutcome.OVERDUE
        return RevisitOutcome.DUE
    if hidden:
        return RevisitOutcome.HIDDEN
    if steps is None:
        return RevisitOutcome.NOT_COMPARABLE
    if steps > 0:
        return RevisitOutcome.IMPROVED
    return RevisitOutcome.WORSE if steps < 0 else RevisitOutcome.SAME


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` as a fraction (a spreadsheet shows it as a percentage), or None."""
    return part / whole if whole else None


def pack_filename(starts_on: datetime.date, ends_on: datetime.date, fmt: PackFormat) -> str:
    """Named by the period and the part it holds: never a child or a person."""
    part = {
        PackFormat.XLSX: "",
        PackFormat.AUDITS_CSV: "-audits",
        PackFormat.SUMMARY_CSV: "-summary",
        PackFormat.ACTIONS_CSV: "-actions",
    }[fmt]
    return f"inspection-pack-{starts_on:%Y-%m-%d}-to-{ends_on:%Y-%m-%d}{part}.{fmt.extension}"
