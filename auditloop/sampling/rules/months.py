"""Month arithmetic, in one place: cycles run in whole months, audits are planned for a month
and due at its end (plus the cycle's extension), and draws look back a number of months."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from auditloop.core.refusals import Refused

if TYPE_CHECKING:
    from auditloop.sampling.models import Cycle

# A cycle runs for six months unless its audit lead says otherwise.
CYCLE_MONTHS = 6


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier when negative); the 31st of a shorter month
    becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def months_before(day: datetime.date, months: int) -> datetime.date:
    return add_months(day, -months)


def cycle_end(starts_on: datetime.date, ends_on: datetime.date | None) -> datetime.date:
    """The end a cycle is given: `ends_on`, or the day before six months from the start."""
    return ends_on or add_months(starts_on, CYCLE_MONTHS) - datetime.timedelta(days=1)


def cycle_months(cycle: Cycle) -> list[datetime.date]:
    """The first day of every month the cycle touches."""
    months: list[datetime.date] = []
    day = cycle.starts_on.replace(day=1)
    while day <= cycle.ends_on:
        months.append(day)
        day = add_months(day, 1)
    return months


def due_date_for(cycle: Cycle, month: datetime.date) -> datetime.date:
    """The end of the month the audit is planned for, plus the cycle's extension."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=last) + datetime.timedelta(days=cycle.due_extension_days)


def month_in_cycle(cycle: Cycle, month: datetime.date | None) -> datetime.date:
    """The first day of `month`, refused unless it is one of the cycle's months."""
    if month is None:
        raise Refused("Choose the month the audits are planned for.", field="planned_month")
    month = month.replace(day=1)
    if not cycle.starts_on.replace(day=1) <= month <= cycle.ends_on:
        raise Refused("Choose a month inside the cycle.", field="planned_month")
    return month


def month_name(month: datetime.date) -> str:
    """ "April 2026"."""
    return month.strftime("%B %Y")


def month_names(months: Iterable[datetime.date]) -> str:
    """ "April 2026, May 2026 and June 2026"."""
    names = [month_name(m) for m in sorted(set(months))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
