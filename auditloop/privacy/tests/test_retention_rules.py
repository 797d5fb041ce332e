"""The retention schedule's pure rules: the date arithmetic of a period, and the rules a
council's changes must keep."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditloop.privacy.rules.retention import (
    ANCHORS,
    DEFAULTS,
    OUTCOMES,
    Anchor,
    Outcome,
    RecordKind,
    RetentionRefused,
    latest_due_start,
    period_end,
    period_words,
    rule_check,
)

days = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2200, 12, 31))
years = st.integers(min_value=0, max_value=100)
months = st.integers(min_value=0, max_value=11)


@given(start=days, today=days, years=years, months=months)
def test_a_record_is_due_exactly_when_its_period_has_ended_by_today(
    start: datetime.date, today: datetime.date, years: int, months: int
) -> None:
    if years == 0 and months == 0:
        months = 1
    last = latest_due_start(today, years=years, months=months)
    assert (start <= last) == (period_end(start, years=years, months=months) <= today)


@given(start=days, years=years, months=months)
def test_a_period_ends_on_the_same_day_of_the_month_or_the_months_last_day(
    start: datetime.date, years: int, months: int
) -> None:
    end = period_end(start, years=years, months=months)
    assert (end.year - start.year) * 12 + end.month - start.month == years * 12 + months
    assert end.day == start.day or (end.day < start.day and (end + datetime.timedelta(1)).day == 1)


def test_a_child_born_on_29_february_reaches_their_25th_birthday_on_28_february() -> None:
    assert period_end(datetime.date(2004, 2, 29), years=25, months=0) == datetime.date(2029, 2, 28)
    # ...and a record counted from 29 February is due with those counted from 28 February.
    assert latest_due_start(datetime.date(2029, 2, 28), years=25, months=0) == datetime.date(
        2004, 2, 29
    )


def test_every_kind_of_record_has_a_default_the_rules_accept() -> None:
    assert set(DEFAULTS) == set(RecordKind)
    for kind, default in DEFAULTS.items():
        rule_check(
            kind=kind,
            years=default.years,
            months=default.months,
            anchor=default.anchor,
            outcome=default.outcome,
        )
        assert default.guidance


def test_unsafe_child_flags_are_kept_to_the_childs_25th_birthday_by_default() -> None:
    flags = DEFAULTS[RecordKind.FLAGS]
    assert (flags.years, flags.anchor) == (25, Anchor.CHILD_BORN)


def test_audits_and_answers_can_only_be_anonymised_never_deleted() -> None:
    for kind in (RecordKind.AUDITS, RecordKind.ANSWERS):
        assert OUTCOMES[kind] == (Outcome.ANONYMISE,)
        with pytest.raises(RetentionRefused, match="only be anonymised") as refused:
            rule_check(
                kind=kind, years=6, months=0, anchor=Anchor.AUDIT_COMPLETED, outcome=Outcome.DELETE
            )
        assert refused.value.field == "outcome"


def test_a_log_can_only_be_counted_from_its_own_creation() -> None:
    assert ANCHORS[RecordKind.ACCESS_LOG] == (Anchor.CREATED,)
    with pytest.raises(RetentionRefused, match="cannot be counted from the case's closure"):
        rule_check(
            kind=RecordKind.ACCESS_LOG,
            years=2,
            months=0,
            anchor=Anchor.CASE_CLOSED,
            outcome=Outcome.DELETE,
        )


@pytest.mark.parametrize(
    ("years", "months", "field", "message"),
    [
        (0, 0, "years", "at least one month"),
        (0, 12, "months", "between 0 and 11"),
        (101, 0, "years", "at most 100 years"),
    ],
)
def test_a_period_of_nothing_or_beyond_a_lifetime_is_refused(
    years: int, months: int, field: str, message: str
) -> None:
    with pytest.raises(RetentionRefused, match=message) as refused:
        rule_check(
            kind=RecordKind.NOTIFICATIONS,
            years=years,
            months=months,
            anchor=Anchor.CREATED,
            outcome=Outcome.DELETE,
        )
    assert refused.value.field == field


def test_a_period_reads_as_words() -> None:
    assert period_words(6, 0) == "6 years"
    assert period_words(1, 6) == "1 year and 6 months"
    assert period_words(0, 1) == "1 month"
