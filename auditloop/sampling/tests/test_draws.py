"""Populations, exclusions and draws: the properties an inspector relies on."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError
from django.db.models import ProtectedError
from hypothesis import given
from hypothesis import strategies as st

from auditloop.accounts.models import Role
from auditloop.audits.services.planning import audit_create
from auditloop.cases.models import ChildCase, Cohort
from auditloop.sampling.models import SampleDraw, SampleDrawCase, SampleDrawPopulation
from auditloop.sampling.rules.draws import REASON_HELD, DrawSpec, draw_compute, draw_rerun
from auditloop.sampling.rules.independence import AuditorRow, CaseRow, row_holds_or_manages
from auditloop.sampling.rules.months import months_before
from auditloop.sampling.selectors.draws import (
    draw_population,
    draw_preview,
    population_rows,
    recently_audited,
)
from auditloop.sampling.services.draws import draw_save
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas

case_rows = st.lists(
    st.builds(
        CaseRow,
        pk=st.integers(1, 5000),
        la_child_id=st.text(alphabet="0123456789AB", min_size=1, max_size=6),
        team_id=st.sampled_from([None, 1, 2, 3]),
        team_name=st.just("Team"),
        service_id=st.sampled_from([None, 10, 20]),
        service_name=st.just("Service"),
        worker_id=st.sampled_from([None, 100, 101, 102]),
        worker_manager_id=st.sampled_from([None, 200, 201]),
    ),
    unique_by=lambda r: r.pk,
    max_size=150,
)
auditor_rows = st.lists(
    st.builds(
        AuditorRow,
        pk=st.sampled_from([100, 101, 200, 201, 300]),
        role=st.sampled_from([Role.AUDITOR, Role.TEAM_MANAGER]),
        team_id=st.sampled_from([None, 1, 2]),
    ),
    max_size=3,
)


@given(
    rows=case_rows,
    recent=st.sets(st.integers(1, 5000)),
    auditors=auditor_rows,
    size=st.integers(0, 200),
    seed=st.integers(0, 2**31),
    stratify=st.sampled_from(["", "team", "service"]),
    allocation=st.sampled_from(["proportional", "equal"]),
)
def test_samples_never_include_excluded_cases_and_strata_add_up(
    rows: list[CaseRow],
    recent: set[int],
    auditors: list[AuditorRow],
    size: int,
    seed: int,
    stratify: str,
    allocation: str,
) -> None:
    spec = DrawSpec(seed=seed, size=size, stratify=stratify, allocation=allocation)
    result = draw_compute(spec=spec, rows=rows, recently_audited=recent, auditors=auditors)
    chosen = {d.case_id for d in result.chosen}
    excluded = {pk for ids in result.exclusions.values() for pk in ids}
    assert not chosen & excluded
    assert not chosen & recent
    for row in rows:
        if row.pk in chosen and auditors:
            assert not all(row_holds_or_manages(a, row) for a in auditors)
    assert sum(s.allocated for s in result.strata) == result.size == len(result.chosen)
    assert sum(s.population for s in result.strata) == result.population_size
    assert result.population_size + len(excluded) == len(rows) == result.matched
    assert result.population is not None
    strata = [{"key": s.key, "allocated": s.allocated} for s in result.strata]
    drawn = [d.case_id for d in result.chosen]
    assert draw_rerun(population=result.population, strata=strata, seed=seed) == drawn
    # A re-run reads only the strata the draw took cases from, and draws the same.
    taken = {s.key for s in result.strata if s.allocated}
    taken_from = [(pk, key) for pk, key in result.population if key in taken]
    assert draw_rerun(population=taken_from, strata=strata, seed=seed) == drawn


@given(rows=case_rows, seed=st.integers(0, 2**31))
def test_the_same_seed_gives_the_same_cases_whatever_order_the_rows_come_in(
    rows: list[CaseRow], seed: int
) -> None:
    spec = DrawSpec(seed=seed, size=10, stratify="team")
    one = draw_compute(spec=spec, rows=rows, recently_audited=set())
    two = draw_compute(spec=spec, rows=list(reversed(rows)), recently_audited=set())
    assert [d.case_id for d in one.chosen] == [d.case_id for d in two.chosen]


def test_a_spec_with_an_unknown_cohort_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown cohort"):
        DrawSpec(seed=1, cohort="XYZ", size=3)


def test_months_before_keeps_the_end_of_a_month() -> None:
    assert months_before(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 1, 15), 12) == datetime.date(2025, 1, 15)


def test_population_follows_the_filters(p: Personas) -> None:
    cases_make(5, team=p.north_a, prefix="NA")
    cases_make(3, team=p.north_b, prefix="NB", cohort=Cohort.CIN)
    cases_make(2, team=p.north_b, prefix="NC", is_open=False)
    cases_make(4, team=p.south_a, prefix="SA")
    north_cp = draw_preview(DrawSpec(seed=1, size=100, cohort="CP", service_ids=(p.north.pk,)))
    # Five new CP cases in North A, plus the practitioner's own CP case.
    assert north_cp.population_size == 6
    team_b = draw_preview(DrawSpec(seed=1, size=100, team_id=p.north_b.pk))
    assert team_b.population_size == 3


def test_a_case_open_on_a_past_date_is_in_that_days_population(p: Personas) -> None:
    ChildCase.objects.create(
        la_child_id="OLD1",
        cohort=Cohort.CIN,
        allocated_team=p.north_b,
        opened_on=datetime.date(2025, 1, 1),
        closed_on=datetime.date(2025, 6, 30),
        is_open=False,
    )
    spec = DrawSpec(seed=1, size=10, team_id=p.north_b.pk, open_on=datetime.date(2025, 3, 1))
    assert draw_preview(spec).population_size == 1
    later = DrawSpec(seed=1, size=10, team_id=p.north_b.pk, open_on=datetime.date(2025, 9, 1))
    assert draw_preview(later).population_size == 0


def test_recently_audited_cases_and_the_auditors_own_cases_are_left_out(p: Personas) -> None:
    cases_make(4, team=p.north_a, prefix="NA")
    audit_create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type="dip_sample",
        auditor=p.auditor,
        by=p.moderator,
    )
    mine = cases_make(2, team=p.north_b, prefix="MINE", worker=p.team_manager)
    spec = DrawSpec(seed=3, size=100, service_ids=(p.north.pk,))
    result = draw_preview(spec, auditors=[p.team_manager])
    chosen = {d.case_id for d in result.chosen}
    assert p.case.pk not in chosen
    assert result.exclusions["Audited in the last 12 months"] == [p.case.pk]
    # The team manager holds two cases and manages North A's four: all six are left out.
    assert sorted(result.exclusions[REASON_HELD]) == sorted(
        [c.pk for c in mine]
        + list(ChildCase.objects.filter(la_child_id__startswith="NA").values_list("pk", flat=True))
    )
    assert result.population_size == 0


def test_re_running_a_stored_draw_gives_the_same_cases(p: Personas) -> None:
    cases_make(40, team=p.north_a, prefix="NA")
    cases_make(25, team=p.north_b, prefix="NB")
    spec = DrawSpec(seed=7, size=12, stratify="team", service_ids=(p.north.pk,))
    saved = draw_save(spec=spec, by=p.moderator)
    draw = SampleDraw.objects.get(pk=saved.draw.pk)
    stored = list(draw.chosen.order_by("position").values_list("case_id", flat=True))
    assert len(stored) == 12
    population = draw_population(draw)
    assert draw_rerun(population=population, strata=draw.strata, seed=draw.seed) == stored
    # New cases after the draw change today's population, not the stored draw.
    cases_make(30, team=p.north_a, prefix="LATE")
    assert draw_population(draw) == population
    assert draw_rerun(population=population, strata=draw.strata, seed=draw.seed) == stored
    assert [d.case_id for d in draw_preview(spec).chosen] != stored


def test_a_stored_draw_keeps_its_whole_population_as_rows_in_draw_order(p: Personas) -> None:
    cases_make(40, team=p.north_a, prefix="NA")
    cases_make(25, team=p.north_b, prefix="NB")
    spec = DrawSpec(seed=11, size=5, stratify="team", service_ids=(p.north.pk,))
    saved = draw_save(spec=spec, by=p.moderator)
    # The population draw_compute works out in Python, frozen as it is.
    population = draw_compute(
        spec=spec, rows=population_rows(spec), recently_audited=recently_audited(spec)
    ).population
    assert population is not None
    rows = SampleDrawPopulation.objects.filter(draw=saved.draw).order_by("position")
    assert [(r.position, r.case_id, r.stratum) for r in rows] == [
        (i, case_id, stratum) for i, (case_id, stratum) in enumerate(population, 1)
    ]
    assert len(rows) == saved.draw.population_size == saved.result.population_size >= 65
    # Only the strata a draw took cases from are read back, still in draw order.
    north_a = [row for row in population if row[1] == f"team-{p.north_a.pk}"]
    assert draw_population(saved.draw, strata=[f"team-{p.north_a.pk}"]) == north_a


def test_a_draw_that_fails_after_freezing_its_population_stores_none_of_it(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases_make(10, team=p.north_a, prefix="NA")

    def fail(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the disk is full")

    # The chosen cases are written after the population: make that write fail.
    monkeypatch.setattr(SampleDrawCase.objects, "bulk_create", fail)
    with pytest.raises(DatabaseError):
        draw_save(spec=DrawSpec(seed=1, size=3, service_ids=(p.north.pk,)), by=p.moderator)
    assert not SampleDrawPopulation.objects.exists()
    assert not SampleDraw.objects.exists()


def test_deleting_a_draw_deletes_its_population_and_a_case_in_one_cannot_be_deleted(
    p: Personas,
) -> None:
    cases_make(10, team=p.north_a, prefix="NA")
    saved = draw_save(spec=DrawSpec(seed=1, size=0, service_ids=(p.north.pk,)), by=p.moderator)
    case_id = draw_population(saved.draw)[0][0]
    with pytest.raises(ProtectedError):
        ChildCase.objects.filter(pk=case_id).delete()
    saved.draw.delete()
    assert not SampleDrawPopulation.objects.exists()


@pytest.mark.django_db
def test_the_frozen_population_leaves_the_checks_of_its_cases_and_draw_to_the_orm() -> None:
    """A national draw freezes 400,000 cases: a database foreign key on the case would check
    and lock each live case row at commit, doubling the draw's time, and one on the draw
    checked the draw row 400,000 times, a third of what was left; the copy from the case
    table in the draw's own transaction and the ORM's PROTECT and CASCADE (above) give the
    protection instead."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, SampleDrawPopulation._meta.db_table
        )
    references = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    assert references == set()
