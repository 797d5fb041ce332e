"""The rules that choose a moderation sample, checked on random populations: what an inspector
relies on (every Inadequate and Outstanding audit is in it, the random share is the share the
cycle says, rounded up, and the same seed and audits always give the same sample)."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditloop.assurance.models import ModerationReason
from auditloop.assurance.rules.moderation_samples import (
    PopulationAudit,
    WaitingRequest,
    moderation_sample_choose,
    random_share_draw,
    random_share_size,
)

audits = st.lists(
    st.builds(
        PopulationAudit,
        audit_id=st.integers(min_value=1, max_value=10_000),
        inadequate=st.booleans(),
        top_grade=st.booleans(),
    ),
    max_size=60,
    unique_by=lambda a: a.audit_id,
)
percents = st.integers(min_value=0, max_value=100)
seeds = st.integers(min_value=0, max_value=2**53)


@st.composite
def requests_for(draw: st.DrawFn, population: list[PopulationAudit]) -> list[WaitingRequest]:
    """Requests for some of the population's audits and for some audits outside it (an audit
    an earlier sample considered), with a second request now and then for the same audit."""
    ids = [a.audit_id for a in population]
    targets = draw(st.lists(st.sampled_from(ids), max_size=8)) if ids else []
    targets += draw(st.lists(st.integers(min_value=20_000, max_value=20_100), max_size=3))
    return [WaitingRequest(request_id=n, audit_id=a) for n, a in enumerate(targets, start=1)]


@given(data=st.data(), population=audits, percent=percents, seed=seeds)
def test_the_same_seed_and_audits_give_the_same_sample_in_whatever_order_they_come(
    data: st.DataObject, population: list[PopulationAudit], percent: int, seed: int
) -> None:
    requests = data.draw(requests_for(population))
    first = moderation_sample_choose(
        population=population, requests=requests, percent=percent, seed=seed
    )
    shuffled = list(population)
    random.Random(seed).shuffle(shuffled)
    again = moderation_sample_choose(
        population=shuffled, requests=list(reversed(requests)), percent=percent, seed=seed
    )
    assert again == first


@given(data=st.data(), population=audits, percent=percents, seed=seeds)
def test_every_inadequate_and_outstanding_audit_is_chosen_and_a_share_of_the_rest(
    data: st.DataObject, population: list[PopulationAudit], percent: int, seed: int
) -> None:
    requests = data.draw(requests_for(population))
    choice = moderation_sample_choose(
        population=population, requests=requests, percent=percent, seed=seed
    )
    reasons = {c.audit_id: c.reason for c in choice.chosen}
    assert len(reasons) == len(choice.chosen), "an audit is chosen once"
    for audit in population:
        if audit.inadequate:
            assert reasons[audit.audit_id] == ModerationReason.INADEQUATE
        elif audit.top_grade:
            assert reasons[audit.audit_id] == ModerationReason.OUTSTANDING
    rest = [a.audit_id for a in population if not (a.inadequate or a.top_grade)]
    drawn = [i for i, reason in reasons.items() if reason == ModerationReason.RANDOM]
    assert set(drawn) <= set(rest)
    assert len(drawn) == choice.random_size == math.ceil(len(rest) * percent / 100)
    assert choice.rest_size == len(rest)
    # Every request's audit is chosen, and the earliest request is the one kept with it.
    for request in requests:
        assert request.audit_id in reasons
        assert request.request_id in choice.requests_taken
    for chosen in choice.chosen:
        asked = [r.request_id for r in requests if r.audit_id == chosen.audit_id]
        assert chosen.request_id == (min(asked) if asked else None)
        if chosen.reason == ModerationReason.REQUESTED:
            assert asked
    assert set(reasons) <= {a.audit_id for a in population} | {r.audit_id for r in requests}


@given(population=audits, percent=percents, seed=seeds)
def test_the_random_share_can_be_drawn_again_from_what_a_sample_stores(
    population: list[PopulationAudit], percent: int, seed: int
) -> None:
    choice = moderation_sample_choose(
        population=population, requests=[], percent=percent, seed=seed
    )
    graded = {
        c.audit_id
        for c in choice.chosen
        if c.reason in {ModerationReason.INADEQUATE, ModerationReason.OUTSTANDING}
    }
    again = random_share_draw(
        rest=[a for a in choice.population if a not in graded], percent=percent, seed=seed
    )
    assert set(again) == {c.audit_id for c in choice.chosen if c.reason == ModerationReason.RANDOM}


@pytest.mark.parametrize(
    ("rest", "percent", "size"),
    [(10, 15, 2), (20, 15, 3), (7, 15, 2), (100, 15, 15), (1, 1, 1), (0, 50, 0), (9, 0, 0)],
)
def test_the_random_share_is_rounded_up_to_a_whole_audit(
    rest: int, percent: int, size: int
) -> None:
    assert random_share_size(rest=rest, percent=percent) == size


def test_a_share_outside_0_to_100_percent_is_refused() -> None:
    with pytest.raises(ValueError, match="0% to 100%"):
        random_share_size(rest=10, percent=101)


def test_an_audit_both_inadequate_and_asked_for_is_chosen_as_inadequate_with_the_request_kept() -> (
    None
):
    choice = moderation_sample_choose(
        population=[PopulationAudit(1, inadequate=True), PopulationAudit(2)],
        requests=[WaitingRequest(7, 1), WaitingRequest(8, 1), WaitingRequest(9, 3)],
        percent=0,
        seed=1,
    )
    assert [(c.audit_id, c.reason, c.request_id) for c in choice.chosen] == [
        (1, ModerationReason.INADEQUATE, 7),
        (3, ModerationReason.REQUESTED, 9),
    ]
    assert choice.requests_taken == (7, 8, 9)


def test_a_different_seed_draws_a_different_share_of_a_large_population() -> None:
    population = [PopulationAudit(i) for i in range(1, 201)]
    first = moderation_sample_choose(population=population, requests=[], percent=15, seed=1)
    other = moderation_sample_choose(population=population, requests=[], percent=15, seed=2)
    assert len(first.chosen) == len(other.chosen) == 30
    assert first.chosen != other.chosen
