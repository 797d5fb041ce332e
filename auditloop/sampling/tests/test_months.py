"""The month arithmetic every part of sampling uses, stated once in `rules.months`."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from auditloop.sampling.models import Cycle
from auditloop.sampling.rules.months import (
    add_months,
    cycle_end,
    cycle_months,
    due_date_for,
    month_names,
    months_before,
)

DAYS = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))


@given(day=DAYS, months=st.integers(min_value=0, max_value=60))
def test_a_month_later_keeps_the_day_or_takes_the_last_of_a_shorter_month(
    day: datetime.date, months: int
) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (
        later.day < day.day and (later + datetime.timedelta(1)).day == 1
    )
    assert months_before(later, months) <= day


@given(starts_on=DAYS)
def test_a_cycle_runs_six_months_unless_told_otherwise(starts_on: datetime.date) -> None:
    ends_on = cycle_end(starts_on, None)
    cycle = Cycle(starts_on=starts_on, ends_on=ends_on)
    months = cycle_months(cycle)
    assert months[0] == starts_on.replace(day=1)
    assert len(months) == (6 if starts_on.day == 1 else 7)
    assert cycle_end(starts_on, datetime.date(2100, 1, 1)) == datetime.date(2100, 1, 1)


def test_an_audit_is_due_at_the_end_of_its_month_plus_the_extension() -> None:
    cycle = Cycle(due_extension_days=7)
    assert due_date_for(cycle, datetime.date(2028, 2, 1)) == datetime.date(2028, 3, 7)
    assert due_date_for(cycle, datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 7)


def test_months_are_named_in_order_once_each() -> None:
    may, april = datetime.date(2026, 5, 1), datetime.date(2026, 4, 1)
    assert month_names([may, april, may]) == "April 2026 and May 2026"
    assert month_names([april]) == "April 2026"
