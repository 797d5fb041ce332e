"""Sharing audits out: evenly, least-loaded first, never to someone not independent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditloop.sampling.rules.assignment import (
    NOBODY_FREE,
    NOBODY_INDEPENDENT,
    Candidate,
    assignments_plan,
)


def always(_a: int, _c: int) -> bool:
    return True


@given(
    cases=st.integers(min_value=0, max_value=200), auditors=st.integers(min_value=1, max_value=12)
)
def test_work_is_spread_evenly_when_everyone_is_independent(cases: int, auditors: int) -> None:
    pool = [Candidate(pk, f"Auditor {pk:02}") for pk in range(1, auditors + 1)]
    plan = assignments_plan(list(range(cases)), pool, independent=always)
    loads = [sum(1 for a in plan if a.auditor_id == p.pk) for p in pool]
    assert sum(loads) == cases
    assert max(loads) - min(loads) <= 1


@given(
    cases=st.lists(st.integers(1, 500), unique=True, max_size=60),
    held=st.sets(st.tuples(st.integers(1, 4), st.integers(1, 500))),
)
def test_nobody_is_given_a_case_they_hold_or_manage(
    cases: list[int], held: set[tuple[int, int]]
) -> None:
    pool = [Candidate(pk, f"A{pk}") for pk in range(1, 5)]
    plan = assignments_plan(cases, pool, independent=lambda a, c: (a, c) not in held)
    for assignment in plan:
        if assignment.auditor_id is None:
            assert assignment.reason == NOBODY_INDEPENDENT
            assert all((p.pk, assignment.case_id) in held for p in pool)
        else:
            assert (assignment.auditor_id, assignment.case_id) not in held


def test_least_loaded_goes_first_and_ties_go_by_name() -> None:
    pool = [Candidate(1, "Bea"), Candidate(2, "Abe"), Candidate(3, "Cal")]
    plan = assignments_plan([10, 11, 12, 13], pool, independent=always, loads={2: 1})
    assert [a.auditor_id for a in plan] == [1, 3, 2, 1]


def test_a_full_quota_leaves_the_case_unassigned_with_the_reason() -> None:
    pool = [Candidate(1, "Bea", capacity=1), Candidate(2, "Abe", capacity=2)]
    plan = assignments_plan([10, 11, 12, 13], pool, independent=always, loads={2: 1})
    assert [a.auditor_id for a in plan] == [1, 2, None, None]
    assert plan[2].reason == NOBODY_FREE
