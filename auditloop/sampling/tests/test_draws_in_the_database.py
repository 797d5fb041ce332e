"""A draw worked out in the database draws exactly what the pure rules draw in Python.

`draw_compute` is the statement of a draw (rows in, result out); `draw_preview` and
`draw_save` work the same draw out without reading the population into Python. These tests
hold the two to each other, on both databases, on a population of a few thousand cases whose
child IDs sort differently under a language's collation than under Python's."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from auditloop.accounts.models import StaffMember
from auditloop.audits.services.planning import audit_create
from auditloop.cases.models import ChildCase, Cohort
from auditloop.sampling.rules.draws import DrawResult, DrawSpec, draw_compute, draw_rerun
from auditloop.sampling.rules.independence import auditor_rows
from auditloop.sampling.rules.statistics import Drawn, draw_cases, draw_places
from auditloop.sampling.selectors import draws as draw_selectors
from auditloop.sampling.selectors.draws import (
    draw_population,
    draw_preview,
    population_rows,
    recently_audited,
)
from auditloop.sampling.services.draws import draw_save
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas


def draw_cases_before(
    population: Sequence[tuple[int, str]], allocation: Mapping[str, int], seed: int
) -> list[Drawn]:
    """`draw_cases` as it was before draws learnt to draw places: the cases themselves
    sampled. Kept here so that the same seed is seen to give the same sample as before."""
    members: dict[str, list[int]] = {}
    for case_id, stratum in population:
        members.setdefault(stratum, []).append(case_id)
    rng = random.Random(seed)
    out: list[Drawn] = []
    for stratum in sorted(allocation):
        wanted = allocation[stratum]
        if wanted <= 0:
            continue
        for i, case_id in enumerate(rng.sample(members.get(stratum, []), wanted), start=1):
            out.append(Drawn(case_id, stratum, len(out) + 1, i))
    return out


@given(
    sizes=st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 3000), max_size=6),
    share=st.floats(0, 1),
    seed=st.integers(0, 2**63),
)
def test_drawing_places_draws_the_same_cases_as_sampling_the_cases_did(
    sizes: dict[str, int], share: float, seed: int
) -> None:
    population = [(i, key) for key, n in sizes.items() for i in range(n)]
    random.Random(seed).shuffle(population)
    allocation = {key: int(n * share) for key, n in sizes.items()}
    assert draw_cases(population, allocation, seed) == draw_cases_before(
        population, allocation, seed
    )
    counts = {key: n for key, n in sizes.items() if n}
    assert len(draw_places(counts, allocation, seed)) == sum(allocation.values())


# Child IDs Python orders by code point and a language's collation does not: case, accents,
# punctuation and leading zeros.
CHILD_ID_STARTS = ["a", "B", "b", "É", "e", "z", "0", "00", "1-", "1_", "Z"]


@pytest.fixture
def population(p: Personas) -> list[ChildCase]:
    """About 2,400 open cases over three teams in two services and no team, some held by the
    team manager or managed by them, a few recently audited, and some closed or CIN."""
    rng = random.Random(5)
    teams = [p.north_a, p.north_b, p.south_a, None]
    workers = [None, None, None, p.team_manager, p.practitioner]
    cases = ChildCase.objects.bulk_create(
        ChildCase(
            la_child_id=f"{rng.choice(CHILD_ID_STARTS)}{i:04}{rng.choice(['', 'x', 'X'])}",
            cohort=rng.choice([Cohort.CP, Cohort.CP, Cohort.CIN]),
            allocated_team=rng.choice(teams),
            allocated_worker=rng.choice(workers),
            is_open=rng.random() < 0.95,
        )
        for i in range(2400)
    )
    for case in cases[:6]:
        audit_create(
            case=case,
            tool_version=p.compliance_tool,
            audit_type="dip_sample",
            auditor=p.auditor,
            by=p.moderator,
        )
    return cases


def in_python(spec: DrawSpec, auditors: Sequence[StaffMember] = ()) -> DrawResult:
    return draw_compute(
        spec=spec,
        rows=population_rows(spec),
        recently_audited=recently_audited(spec),
        auditors=auditor_rows(auditors),
    )


def assert_the_same_draw(database: DrawResult, python: DrawResult) -> None:
    assert database.chosen == python.chosen
    assert database.chosen_child_ids() == python.chosen_child_ids()
    assert database.strata == python.strata
    assert (database.matched, database.population_size, database.size) == (
        python.matched,
        python.population_size,
        python.size,
    )
    assert database.margin_of_error == python.margin_of_error
    assert {k: sorted(v) for k, v in database.exclusions.items()} == {
        k: sorted(v) for k, v in python.exclusions.items()
    }


SPECS = [
    DrawSpec(seed=1, size=60, stratify="team"),
    DrawSpec(seed=2, size=45, stratify="service", cohort="CP"),
    DrawSpec(seed=3, size=30, stratify="team", allocation="equal"),
    DrawSpec(seed=4, size=80),
    DrawSpec(seed=5, size_method="percentage", percentage=7.5, stratify="team"),
    DrawSpec(seed=6, size_method="confidence", margin=0.1, stratify="service"),
    DrawSpec(seed=7, size=5000, stratify="team"),  # more than there are: all of them
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"seed-{s.seed}")
def test_a_preview_draws_what_the_pure_rules_draw(
    p: Personas, population: list[ChildCase], spec: DrawSpec
) -> None:
    assert_the_same_draw(draw_preview(spec), in_python(spec))
    within = DrawSpec(seed=spec.seed, size=25, stratify="team", service_ids=(p.north.pk,))
    pool = [p.team_manager]
    assert_the_same_draw(draw_preview(within, auditors=pool), in_python(within, pool))


def test_a_stored_draw_freezes_the_population_the_pure_rules_draw_from(
    p: Personas, population: list[ChildCase]
) -> None:
    spec = DrawSpec(seed=11, size=70, stratify="team")
    python = in_python(spec, [p.team_manager])
    saved = draw_save(spec=spec, auditors=[p.team_manager], by=None)
    assert_the_same_draw(saved.result, python)
    assert draw_population(saved.draw) == python.population
    stored = list(saved.draw.chosen.order_by("position").values_list("case_id", flat=True))
    assert stored == [d.case_id for d in python.chosen]
    rerun = draw_rerun(
        population=draw_population(saved.draw), strata=saved.draw.strata, seed=saved.draw.seed
    )
    assert rerun == stored


def test_a_draw_never_reads_its_population_into_python(
    p: Personas, population: list[ChildCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(spec: DrawSpec) -> None:
        raise AssertionError("a draw read every case of its population into Python")

    monkeypatch.setattr(draw_selectors, "population_rows", refuse)
    spec = DrawSpec(seed=12, size=40, stratify="team")
    assert draw_preview(spec).size == 40
    assert draw_save(spec=spec, by=None).result.size == 40


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Another connection writing mid-draw needs PostgreSQL (DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True)
def test_a_case_closed_while_a_preview_is_worked_out_does_not_move_its_draw(
    p: Personas,
) -> None:
    """The preview sizes the strata in one query and reads the drawn places in another: a
    case closed in between must not shift the places (or leave one empty)."""
    cases_make(300, team=p.north_a, prefix="NA")
    spec = DrawSpec(seed=3, size=40, stratify="team")
    before = in_python(spec)
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
        autocommit=True,
    )

    def close_the_first_case(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "ROW_NUMBER" in sql:
            other.execute(
                "UPDATE cases_childcase SET is_open = false WHERE la_child_id = 'NA00000'"
            )
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(close_the_first_case):
            during = draw_preview(spec)
    finally:
        other.close()
    assert_the_same_draw(during, before)
    assert not ChildCase.objects.get(la_child_id="NA00000").is_open
