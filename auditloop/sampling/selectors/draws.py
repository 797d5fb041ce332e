"""Reads for sample draws: who may see which draws, the rows a draw is worked out from (a
fixed number of queries however many cases), a draw previewed without storing anything, and
a stored draw's chosen cases."""

from __future__ import annotations

import datetime
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    F,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Collate, Concat, RowNumber
from django.utils import timezone

from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import Audit, AuditType
from auditloop.cases.models import ChildCase
from auditloop.sampling.models import Cycle, SampleDraw, SampleDrawCase, SampleDrawPopulation
from auditloop.sampling.rules.draws import (
    NO_STRATUM,
    WHOLE,
    DrawResult,
    DrawSpec,
    draw_frame,
    draw_result,
    exclusions_split,
    stratum_key,
)
from auditloop.sampling.rules.independence import AuditorRow, CaseRow, auditor_rows
from auditloop.sampling.rules.months import months_before
from auditloop.sampling.rules.statistics import Drawn, Place


def draws_visible_to(staff: StaffMember) -> QuerySet[SampleDraw]:
    """Draws name children's cases, so only the people who plan may read them: audit leads,
    for draws in their cycles."""
    if staff.role == Role.MODERATOR:
        overseen = services_overseen(staff)
        # A draw belongs to the lead only when its cycle covers no service they do not oversee.
        foreign = Cycle.services.through.objects.exclude(service_id__in=overseen)
        return (
            SampleDraw.objects.filter(cycle__services__in=overseen)
            .exclude(cycle_id__in=foreign.values("cycle_id"))
            .distinct()
        )
    return SampleDraw.objects.none()


def draw_chosen_rows(draw: SampleDraw) -> QuerySet[SampleDrawCase]:
    return draw.chosen.select_related(
        "case__allocated_team", "auditor", "added_by__staff"
    ).order_by("position")


def draw_population(
    draw: SampleDraw, *, strata: Sequence[str] | None = None
) -> list[tuple[int, str]]:
    """A stored draw's frozen population, (case id, stratum) in draw order, in one query;
    with `strata`, only the cases of those strata (a re-run needs only the strata it drew
    from)."""
    rows = SampleDrawPopulation.objects.filter(draw=draw)
    if strata is not None:
        rows = rows.filter(stratum__in=strata)
    return list(rows.order_by("position").values_list("case_id", "stratum"))


def _matching(spec: DrawSpec) -> QuerySet[ChildCase]:
    """The cases the filters match."""
    cases = ChildCase.objects.order_by()
    if spec.cohort:
        cases = cases.filter(cohort=spec.cohort)
    if spec.service_ids:
        cases = cases.filter(allocated_team__service_id__in=spec.service_ids)
    if spec.team_id is not None:
        cases = cases.filter(allocated_team_id=spec.team_id)
    if spec.open_on is None:
        return cases.filter(is_open=True)
    opened = Q(opened_on__isnull=True) | Q(opened_on__lte=spec.open_on)
    not_closed = Q(is_open=True, closed_on__isnull=True) | Q(closed_on__gte=spec.open_on)
    return cases.filter(opened, not_closed)


ROW_FIELDS = (
    "pk",
    "la_child_id",
    "allocated_team_id",
    "allocated_team__name",
    "allocated_team__service_id",
    "allocated_team__service__name",
    "allocated_worker_id",
    "allocated_worker__manager_id",
)


def _case_row(values: Sequence[Any]) -> CaseRow:
    pk, child, team, team_name, service, service_name, worker, manager = values[:8]
    return CaseRow(pk, child, team, team_name or "", service, service_name or "", worker, manager)


def population_rows(spec: DrawSpec) -> list[CaseRow]:
    """The cases the filters match, in one query, as `draw_compute` reads them."""
    return [_case_row(values) for values in _matching(spec).values_list(*ROW_FIELDS)]


def _recent_audits(spec: DrawSpec, today: datetime.date | None) -> QuerySet[Audit] | None:
    """Audits started in the last `exclude_months` months; None when none are left out. A
    calibration exercise's audits do not count: they judge the auditors, not the case."""
    if spec.exclude_months == 0:
        return None
    cutoff = months_before(today or timezone.localdate(), spec.exclude_months)
    audits = Audit.objects.filter(created_at__date__gte=cutoff).exclude(
        audit_type=AuditType.CALIBRATION
    )
    if spec.cohort:
        audits = audits.filter(case__cohort=spec.cohort)
    return audits


def recently_audited(spec: DrawSpec, *, today: datetime.date | None = None) -> set[int]:
    """Ids of cases with an audit started in the last `exclude_months` months (one query)."""
    audits = _recent_audits(spec, today)
    return set() if audits is None else set(audits.values_list("case_id", flat=True))


def draw_exclusions(
    spec: DrawSpec, *, auditors: Sequence[AuditorRow] = (), today: datetime.date | None = None
) -> dict[str, list[int]]:
    """The matching cases left out of a draw, by reason, in one query: only the cases that
    may be left out are read (recently audited, or held or managed by the first auditor of
    the pool, whom every auditor must be to leave a case out), and `exclusions_split` judges
    them as `draw_compute` does."""
    cases = _matching(spec)
    could: list[Q] = []
    audits = _recent_audits(spec, today)
    if audits is not None:
        cases = cases.annotate(recent=Exists(audits.filter(case_id=OuterRef("pk"))))
        could.append(Q(recent=True))
    else:
        cases = cases.annotate(recent=Value(False))
    if auditors:
        first = auditors[0]
        could += [Q(allocated_worker_id=first.pk), Q(allocated_worker__manager_id=first.pk)]
        if first.role == Role.TEAM_MANAGER and first.team_id is not None:
            could.append(Q(allocated_team_id=first.team_id))
    if not could:
        return {}
    values = list(
        cases.filter(reduce(operator.or_, could)).order_by("pk").values_list(*ROW_FIELDS, "recent")
    )
    exclusions, _ = exclusions_split(
        spec=spec,
        rows=[_case_row(v) for v in values],
        recently_audited={v[0] for v in values if v[-1]},
        auditors=auditors,
    )
    return exclusions


def _ids(ids: Sequence[int]) -> RawSQL:
    """A subquery of these ids, as one parameter however many there are."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


# Python's order of strings (by code point) is the byte order of their UTF-8 encoding.
BYTE_ORDER = {"postgresql": "C", "sqlite": "BINARY"}
STRATUM_COLUMN = {"team": "allocated_team_id", "service": "allocated_team__service_id"}


def draw_order(*, by_stratum: bool = False) -> list[OrderBy]:
    """The draw order within a stratum, as `draw_compute` sorts it: child ID, then id,
    compared as Python compares them whatever the database's collation; `by_stratum`, the
    order of a frozen population: stratum by stratum (by key), then within each."""
    collation = BYTE_ORDER[connection.vendor]
    order = [Collate(F("la_child_id"), collation).asc(), F("pk").asc()]
    return [Collate(F("stratum"), collation).asc(), *order] if by_stratum else order


def stratum_expression(by: str) -> Expression:
    """Each case's stratum key as `rules.draws.stratum_key` writes it, in SQL."""
    if by not in STRATUM_COLUMN:
        return Value(stratum_key(by, None), output_field=CharField())
    column = STRATUM_COLUMN[by]
    return Case(
        When(**{f"{column}__isnull": True}, then=Value(stratum_key(by, None))),
        default=Concat(Value(f"{by}-"), Cast(column, CharField())),
        output_field=CharField(),
    )


def stratum_partition(by: str) -> F | Expression:
    """One value per stratum, for numbering each stratum's cases: the team or service id."""
    return F(STRATUM_COLUMN[by]) if by in STRATUM_COLUMN else Value(1)


def draw_population_cases(spec: DrawSpec, exclusions: dict[str, list[int]]) -> QuerySet[ChildCase]:
    """The draw's population: the matching cases less the exclusions, each with its
    `stratum` key, never fetched whole (see `draw_from_cases` and `population_store`)."""
    cases = _matching(spec)
    excluded = [pk for ids in exclusions.values() for pk in ids]
    if excluded:
        cases = cases.exclude(pk__in=_ids(excluded))
    return cases.annotate(stratum=stratum_expression(spec.stratify))


def _stratum_labels(by: str, keys: Iterable[str]) -> dict[str, str]:
    labels = {}
    ids = {}
    for key in keys:
        if key.startswith(f"{by}-") and key != stratum_key(by, None):
            ids[int(key.removeprefix(f"{by}-"))] = key
        else:
            labels[key] = NO_STRATUM[by][1] if by in NO_STRATUM else WHOLE[1]
    model = Team if by == "team" else Service
    for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name"):
        labels[ids[pk]] = name
    return labels


def _counts(population: QuerySet[Any]) -> dict[str, int]:
    """The cases of each stratum, in one query."""
    strata = population.order_by().values_list("stratum").annotate(n=Count("*"))
    return dict(strata.values_list("stratum", "n"))


def _drawn(
    spec: DrawSpec,
    counts: dict[str, int],
    exclusions: dict[str, list[int]],
    read: Callable[[list[Place]], dict[tuple[str, int], int]],
) -> DrawResult:
    """The draw from strata of these sizes, `read` giving the case at each drawn place
    (stratum, index among its members in draw order)."""
    frame = draw_frame(spec, counts)
    chosen: list[Drawn] = []
    child_ids: dict[int, str] = {}
    if frame.places:
        found = read(frame.places)
        chosen = [
            Drawn(found[p.stratum, p.index], p.stratum, p.position, p.position_in_stratum)
            for p in frame.places
        ]
        child_ids = dict(
            ChildCase.objects.filter(pk__in=[d.case_id for d in chosen]).values_list(
                "pk", "la_child_id"
            )
        )
    return draw_result(
        spec=spec,
        frame=frame,
        counts=counts,
        labels=_stratum_labels(spec.stratify, counts),
        exclusions=exclusions,
        chosen=chosen,
        child_ids=child_ids,
    )


def draw_from_cases(spec: DrawSpec, exclusions: dict[str, list[int]]) -> DrawResult:
    """Draw from the matching cases less the exclusions, never reading them all: the
    strata sized in one query, and the drawn places read in another that numbers each
    stratum's cases in draw order. Both work on each stratum's team or service id (cheaper
    to group and sort by than its key), turned into keys here."""
    by = spec.stratify
    population: QuerySet[Any] = draw_population_cases(spec, exclusions).annotate(
        part=stratum_partition(by)
    )
    sizes = population.values("part").annotate(n=Count("*")).values_list("part", "n")
    part_of = {}
    counts = {}
    for part, n in sizes:
        part_of[stratum_key(by, part)] = part
        counts[stratum_key(by, part)] = n

    def read(places: list[Place]) -> dict[tuple[str, int], int]:
        wanted: dict[str, list[int]] = {}
        for place in places:
            wanted.setdefault(place.stratum, []).append(place.index + 1)
        in_stratum = [
            Q(part__isnull=True, rank__in=ranks)
            if part_of[key] is None
            else Q(part=part_of[key], rank__in=ranks)
            for key, ranks in wanted.items()
        ]
        ranked = population.values("pk", "part").annotate(
            rank=Window(RowNumber(), partition_by=[F("part")], order_by=draw_order())
        )
        rows = ranked.filter(
            # The first test is cheap and leaves few rows for the exact one.
            Q(rank__in=sorted({rank for ranks in wanted.values() for rank in ranks})),
            reduce(operator.or_, in_stratum),
        ).values_list("pk", "part", "rank")
        return {(stratum_key(by, part), rank - 1): pk for pk, part, rank in rows}

    return _drawn(spec, counts, exclusions, read)


def draw_from_frozen(
    spec: DrawSpec, draw: SampleDraw, exclusions: dict[str, list[int]]
) -> DrawResult:
    """Draw from a draw's frozen population (`population_store`'s rows, stratum by stratum
    in key order): the strata sized in one query, and the drawn places, whose positions
    follow from the sizes, read by their positions in another."""
    counts = _counts(SampleDrawPopulation.objects.filter(draw=draw))
    before: dict[str, int] = {}
    total = 0
    for key in sorted(counts):
        before[key] = total
        total += counts[key]

    def read(places: list[Place]) -> dict[tuple[str, int], int]:
        rows = SampleDrawPopulation.objects.filter(
            draw=draw, position__in=[before[p.stratum] + p.index + 1 for p in places]
        ).values_list("position", "stratum", "case_id")
        return {(stratum, position - 1 - before[stratum]): case for position, stratum, case in rows}

    return _drawn(spec, counts, exclusions, read)


def draw_preview(
    spec: DrawSpec,
    *,
    auditors: Sequence[StaffMember] = (),
    today: datetime.date | None = None,
) -> DrawResult:
    """The draw these filters and this seed give today, without storing anything: the cases
    `draw_compute` would draw from `population_rows`, worked out in the database."""
    with one_snapshot():
        exclusions = draw_exclusions(spec, auditors=auditor_rows(auditors), today=today)
        return draw_from_cases(spec, exclusions)


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Reads that see the database as it was at one moment, so that a case opened or closed
    between a draw's queries cannot move the places it draws: a transaction (SQLite reads
    from one snapshot in it), repeatable-read on PostgreSQL. Inside a caller's transaction
    the caller decides (`draw_save` reads from the population it has frozen)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
