"""The unusual reading rule, as a pure function: a reader's day is flagged when they read
enough distinct children outside their own, unless their role is exempt."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from auditloop.privacy.rules.accessreview import (
    ChildPlace,
    ReaderScope,
    Thresholds,
    is_outside_own,
    unusual_days,
)

DAY = datetime.date(2026, 11, 30)
READER = ReaderScope(
    staff_id=1,
    role="practitioner",
    team_id=10,
    service_ids=frozenset({100}),
    case_ids=frozenset({7}),
)


def test_a_child_allocated_to_the_reader_is_their_own() -> None:
    assert not is_outside_own(
        READER, ChildPlace(case_id=1, team_id=99, service_id=999, worker_id=1)
    )


def test_a_child_of_the_readers_team_is_their_own() -> None:
    assert not is_outside_own(READER, ChildPlace(case_id=1, team_id=10, service_id=999))


def test_a_child_in_a_service_the_reader_oversees_is_their_own() -> None:
    assert not is_outside_own(READER, ChildPlace(case_id=1, team_id=11, service_id=100))


def test_a_child_whose_audit_the_reader_did_moderated_or_took_part_in_is_their_own() -> None:
    assert not is_outside_own(READER, ChildPlace(case_id=7, team_id=11, service_id=999))


def test_any_other_child_is_outside_their_own() -> None:
    assert is_outside_own(READER, ChildPlace(case_id=8, team_id=11, service_id=999, worker_id=2))


def test_an_unallocated_child_is_not_the_own_of_a_reader_without_a_team() -> None:
    teamless = ReaderScope(staff_id=3, role="administrator")
    assert is_outside_own(teamless, ChildPlace(case_id=8))


# Councils drawn at random: readers in a few teams and services, children placed in them.

staff_ids = st.integers(min_value=1, max_value=4)
case_ids = st.integers(min_value=1, max_value=12)
days = st.sampled_from([DAY, DAY - datetime.timedelta(days=1)])
roles = st.sampled_from(["practitioner", "team_manager", "auditor", "moderator"])


@st.composite
def councils(
    draw: st.DrawFn,
) -> tuple[dict[int, ReaderScope], dict[int, ChildPlace], list[tuple[int, datetime.date, int]]]:
    readers = {
        s: ReaderScope(
            staff_id=s,
            role=draw(roles),
            team_id=draw(st.none() | st.integers(1, 3)),
            service_ids=frozenset(draw(st.sets(st.integers(1, 2), max_size=1))),
            case_ids=frozenset(draw(st.sets(case_ids, max_size=3))),
        )
        for s in range(1, 5)
    }
    places = {
        c: ChildPlace(
            case_id=c,
            team_id=(team := draw(st.none() | st.integers(1, 3))),
            service_id=None if team is None else (1 if team < 3 else 2),
            worker_id=draw(st.none() | staff_ids),
        )
        for c in range(1, 13)
    }
    reads = draw(st.lists(st.tuples(staff_ids, days, case_ids), max_size=40))
    return readers, places, reads


thresholds = st.builds(
    Thresholds,
    cases_per_day=st.integers(min_value=1, max_value=6),
    exempt_roles=st.frozensets(roles, max_size=2),
)


Reads = list[tuple[int, datetime.date, int]]


def _outside(
    readers: dict[int, ReaderScope],
    places: dict[int, ChildPlace],
    reads: Reads,
    staff_id: int,
    day: datetime.date,
) -> set[int]:
    return {
        c
        for s, d, c in reads
        if s == staff_id and d == day and is_outside_own(readers[s], places[c])
    }


@given(councils(), thresholds)
def test_a_day_is_flagged_exactly_when_its_distinct_children_outside_reach_the_threshold(
    council: tuple[
        dict[int, ReaderScope], dict[int, ChildPlace], list[tuple[int, datetime.date, int]]
    ],
    rule: Thresholds,
) -> None:
    readers, places, reads = council
    flagged = {
        (d.staff_id, d.day): d
        for d in unusual_days(reads, readers=readers, places=places, thresholds=rule)
    }
    for staff_id in readers:
        for day in (DAY, DAY - datetime.timedelta(days=1)):
            outside = _outside(readers, places, reads, staff_id, day)
            expected = (
                len(outside) >= rule.cases_per_day
                and readers[staff_id].role not in rule.exempt_roles
            )
            assert ((staff_id, day) in flagged) == expected
            if expected:
                assert flagged[staff_id, day].outside == len(outside)
                assert flagged[staff_id, day].children >= len(outside)


@given(councils(), thresholds)
def test_reading_a_child_again_changes_nothing(
    council: tuple[
        dict[int, ReaderScope], dict[int, ChildPlace], list[tuple[int, datetime.date, int]]
    ],
    rule: Thresholds,
) -> None:
    readers, places, reads = council
    once = unusual_days(reads, readers=readers, places=places, thresholds=rule)
    twice = unusual_days(reads + reads, readers=readers, places=places, thresholds=rule)
    assert once == twice


@given(councils(), thresholds, st.tuples(staff_ids, days, case_ids))
def test_one_more_read_never_takes_a_flag_away(
    council: tuple[
        dict[int, ReaderScope], dict[int, ChildPlace], list[tuple[int, datetime.date, int]]
    ],
    rule: Thresholds,
    extra: tuple[int, datetime.date, int],
) -> None:
    readers, places, reads = council
    before = {
        (d.staff_id, d.day)
        for d in unusual_days(reads, readers=readers, places=places, thresholds=rule)
    }
    after = {
        (d.staff_id, d.day)
        for d in unusual_days([*reads, extra], readers=readers, places=places, thresholds=rule)
    }
    assert before <= after


@given(councils(), thresholds)
def test_a_higher_threshold_never_flags_more(
    council: tuple[
        dict[int, ReaderScope], dict[int, ChildPlace], list[tuple[int, datetime.date, int]]
    ],
    rule: Thresholds,
) -> None:
    readers, places, reads = council
    stricter = Thresholds(cases_per_day=rule.cases_per_day + 1, exempt_roles=rule.exempt_roles)
    low = {
        (d.staff_id, d.day)
        for d in unusual_days(reads, readers=readers, places=places, thresholds=rule)
    }
    high = {
        (d.staff_id, d.day)
        for d in unusual_days(reads, readers=readers, places=places, thresholds=stricter)
    }
    assert high <= low


@given(councils(), thresholds)
def test_reading_only_ones_own_children_is_never_flagged(
    council: tuple[
        dict[int, ReaderScope], dict[int, ChildPlace], list[tuple[int, datetime.date, int]]
    ],
    rule: Thresholds,
) -> None:
    readers, places, reads = council
    own = [(s, d, c) for s, d, c in reads if not is_outside_own(readers[s], places[c])]
    assert unusual_days(own, readers=readers, places=places, thresholds=rule) == []


def test_an_exempt_role_is_never_flagged() -> None:
    reads = [(1, DAY, c) for c in range(20, 40)]
    places = {c: ChildPlace(case_id=c) for c in range(20, 40)}
    rule = Thresholds(cases_per_day=5, exempt_roles=frozenset({"practitioner"}))
    assert unusual_days(reads, readers={1: READER}, places=places, thresholds=rule) == []


def test_the_busiest_day_comes_first_within_a_day_and_the_latest_day_first() -> None:
    readers = {s: ReaderScope(staff_id=s, role="auditor") for s in (1, 2)}
    places = {c: ChildPlace(case_id=c) for c in range(10)}
    yesterday = DAY - datetime.timedelta(days=1)
    reads = [(1, DAY, c) for c in range(2)] + [(2, DAY, c) for c in range(3)]
    reads += [(1, yesterday, c) for c in range(9)]
    flagged = unusual_days(reads, readers=readers, places=places, thresholds=Thresholds(2))
    assert [(d.staff_id, d.day, d.outside) for d in flagged] == [
        (2, DAY, 3),
        (1, DAY, 2),
        (1, yesterday, 9),
    ]
