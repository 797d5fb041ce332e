"""Working out a sample: who is excluded and why, the size, the strata and the cases drawn.

`draw_compute` is pure (rows in, result out) so the properties inspectors care about can be
tested with hypothesis; `selectors.draws` fetches the rows it needs in a fixed number of
queries, however many cases there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditloop.accounts.models import Service, Team
from auditloop.cases.models import Cohort
from auditloop.sampling.rules import statistics
from auditloop.sampling.rules.independence import AuditorRow, CaseRow, row_holds_or_manages

# Annex A's lists of open cases, by cohort: what "the cohort's list" means to a council.
ANNEX_A_LIST = {Cohort.CIN: 6, Cohort.CP: 7, Cohort.CLA: 8, Cohort.CL: 9}

SIZE_METHODS = ("count", "percentage", "confidence")
STRATIFY = ("", "team", "service")
ALLOCATIONS = ("proportional", "equal")

REASON_RECENT = "Audited in the last {months} months"
REASON_HELD = "Held or managed by the auditor"
REASON_NO_INDEPENDENT = "Held or managed by every auditor in the pool"


@dataclass(frozen=True)
class DrawSpec:
    """What the audit lead asked for. Services and teams are ids; `describe` names them."""

    seed: int
    cohort: str = ""
    service_ids: tuple[int, ...] = ()
    team_id: int | None = None
    open_on: datetime.date | None = None
    exclude_months: int = 12
    stratify: str = ""
    allocation: str = "proportional"
    size_method: str = "count"
    size: int | None = None
    percentage: float | None = None
    confidence: float = 0.95
    margin: float | None = None

    def __post_init__(self) -> None:
        if self.cohort and self.cohort not in Cohort.values:
            raise ValueError(f"Unknown cohort {self.cohort!r}: use CIN, CP, CLA or CL.")
        if self.stratify not in STRATIFY:
            raise ValueError("Stratify by team, by service, or not at all.")
        if self.allocation not in ALLOCATIONS:
            raise ValueError("Allocation is proportional or equal.")
        if self.size_method not in SIZE_METHODS:
            raise ValueError("Size the sample by count, percentage or confidence.")
        if self.exclude_months < 0:
            raise ValueError("The months to exclude cannot be negative.")
        if self.size_method == "count" and (self.size is None or self.size < 0):
            raise ValueError("Give the number of cases to draw.")
        if self.size_method == "percentage" and self.percentage is None:
            raise ValueError("Give the percentage of cases to draw.")
        if self.size_method == "confidence" and self.margin is None:
            raise ValueError("Give the margin of error, for example 0.05.")

    def filters(
        self, *, services: Iterable[Service] = (), team: Team | None = None
    ) -> dict[str, Any]:
        """The filters as stored with a draw: JSON, with names an inspector can read."""
        return {
            "cohort": self.cohort,
            "annex_a_list": ANNEX_A_LIST.get(Cohort(self.cohort)) if self.cohort else None,
            "services": [{"id": s.pk, "name": s.name} for s in services],
            "team": {"id": team.pk, "name": team.name} if team else None,
            "open_on": self.open_on.isoformat() if self.open_on else None,
            "exclude_months": self.exclude_months,
            "stratify": self.stratify,
            "allocation": self.allocation,
            "size_method": self.size_method,
            "size": self.size,
            "percentage": self.percentage,
            "confidence": self.confidence,
            "margin": self.margin,
        }


@dataclass(frozen=True)
class Stratum:
    key: str
    label: str
    population: int
    allocated: int


@dataclass
class DrawResult:
    spec: DrawSpec
    matched: int  # cases the filters matched, before exclusions
    population_size: int  # eligible cases
    exclusions: dict[str, list[int]]
    strata: list[Stratum]
    size: int
    margin_of_error: float | None
    chosen: list[statistics.Drawn]
    child_ids: dict[int, str] = field(default_factory=dict)  # of the chosen cases at least
    stratum_labels: dict[str, str] = field(default_factory=dict)
    # The eligible (case id, stratum) in draw order (stratum by stratum in key order, child
    # ID then id within each), when the draw was worked out in Python
    # (`draw_compute`); None when the population stayed in the database (`selectors.draws`),
    # where a stored draw keeps it as rows (`selectors.draws.draw_population`).
    population: list[tuple[int, str]] | None = None

    @property
    def margin_percent(self) -> float | None:
        """The margin of error in percentage points, to one decimal place."""
        return None if self.margin_of_error is None else round(self.margin_of_error * 100, 1)

    @property
    def excluded(self) -> int:
        return sum(len(ids) for ids in self.exclusions.values())

    def chosen_child_ids(self) -> list[str]:
        return [self.child_ids[d.case_id] for d in self.chosen]


NO_STRATUM = {"team": ("team-none", "No team"), "service": ("service-none", "No service")}
WHOLE = ("all", "All cases")


def stratum_key(by: str, value: int | None) -> str:
    """The key of the stratum a case with this team or service id (as `by` says) is in; the
    database builds the same text in `selectors.draws.stratum_expression`."""
    if by not in NO_STRATUM:
        return WHOLE[0]
    return NO_STRATUM[by][0] if value is None else f"{by}-{value}"


def _stratum(row: CaseRow, by: str) -> tuple[str, str]:
    if by == "team":
        return (stratum_key(by, row.team_id), row.team_name) if row.team_id else NO_STRATUM[by]
    if by == "service":
        if row.service_id:
            return stratum_key(by, row.service_id), row.service_name
        return NO_STRATUM[by]
    return WHOLE


def sample_size(spec: DrawSpec, population: int) -> int:
    if spec.size_method == "count":
        return min(population, spec.size or 0)
    if spec.size_method == "percentage":
        return statistics.percentage_size(population=population, percentage=spec.percentage or 0)
    return statistics.cochran_size(
        population=population, confidence=spec.confidence, margin=spec.margin or 0
    )


def exclusions_split(
    *,
    spec: DrawSpec,
    rows: Iterable[CaseRow],
    recently_audited: set[int],
    auditors: Sequence[AuditorRow] = (),
) -> tuple[dict[str, list[int]], list[CaseRow]]:
    """The cases left out, by reason, and the rest: recently audited first, then those every
    auditor in the pool holds or manages."""
    exclusions: dict[str, list[int]] = {}
    recent_reason = REASON_RECENT.format(months=spec.exclude_months)
    held_reason = REASON_HELD if len(auditors) == 1 else REASON_NO_INDEPENDENT
    eligible: list[CaseRow] = []
    for row in rows:
        if row.pk in recently_audited:
            exclusions.setdefault(recent_reason, []).append(row.pk)
        elif auditors and all(row_holds_or_manages(a, row) for a in auditors):
            exclusions.setdefault(held_reason, []).append(row.pk)
        else:
            eligible.append(row)
    return exclusions, eligible


@dataclass(frozen=True)
class DrawFrame:
    """What a draw's strata sizes decide: the sample size, its share per stratum, and which
    places in each stratum (in draw order) are drawn."""

    size: int
    allocation: dict[str, int]
    places: list[statistics.Place]


def draw_frame(spec: DrawSpec, counts: dict[str, int]) -> DrawFrame:
    size = sample_size(spec, sum(counts.values()))
    allocate = (
        statistics.allocate_equal
        if spec.allocation == "equal"
        else statistics.allocate_proportional
    )
    allocation = allocate(counts, size)
    return DrawFrame(size, allocation, statistics.draw_places(counts, allocation, spec.seed))


def draw_result(
    *,
    spec: DrawSpec,
    frame: DrawFrame,
    counts: dict[str, int],
    labels: dict[str, str],
    exclusions: dict[str, list[int]],
    chosen: list[statistics.Drawn],
    child_ids: dict[int, str],
    population: list[tuple[int, str]] | None = None,
) -> DrawResult:
    population_size = sum(counts.values())
    return DrawResult(
        spec=spec,
        matched=population_size + sum(len(ids) for ids in exclusions.values()),
        population_size=population_size,
        exclusions=exclusions,
        strata=[Stratum(k, labels[k], counts[k], frame.allocation[k]) for k in sorted(counts)],
        size=frame.size,
        margin_of_error=statistics.margin_of_error(
            sample=frame.size, population=population_size, confidence=spec.confidence
        ),
        chosen=chosen,
        child_ids=child_ids,
        stratum_labels=labels,
        population=population,
    )


def draw_compute(
    *,
    spec: DrawSpec,
    rows: Sequence[CaseRow],
    recently_audited: set[int],
    auditors: Sequence[AuditorRow] = (),
) -> DrawResult:
    """Exclude, size, allocate and draw. Pure: the same arguments give the same result.

    The statement of a draw in Python; `selectors.draws` draws the same cases with the
    population left in the database, and its tests check the two agree."""
    exclusions, eligible = exclusions_split(
        spec=spec, rows=rows, recently_audited=recently_audited, auditors=auditors
    )
    labels: dict[str, str] = {}
    keyed: list[tuple[str, str, int]] = []
    for row in eligible:
        key, label = _stratum(row, spec.stratify)
        labels[key] = label
        keyed.append((key, row.la_child_id, row.pk))
    # A stable order that does not depend on the database's collation or row order: stratum
    # by stratum (the order they are drawn in), then child ID within each.
    keyed.sort()
    population = [(pk, key) for key, _, pk in keyed]
    members: dict[str, list[int]] = {}
    for pk, key in population:
        members.setdefault(key, []).append(pk)
    counts = {key: len(ids) for key, ids in members.items()}
    frame = draw_frame(spec, counts)
    chosen = [
        statistics.Drawn(members[p.stratum][p.index], p.stratum, p.position, p.position_in_stratum)
        for p in frame.places
    ]
    return draw_result(
        spec=spec,
        frame=frame,
        counts=counts,
        labels=labels,
        exclusions=exclusions,
        chosen=chosen,
        child_ids={r.pk: r.la_child_id for r in rows},
        population=population,
    )


def draw_rerun(
    *, population: Sequence[Sequence[Any]], strata: Sequence[dict[str, Any]], seed: int
) -> list[int]:
    """Re-run a stored draw from its frozen population: the case ids, in draw order. The
    population may leave out strata the draw took nothing from."""
    allocation = {s["key"]: int(s["allocated"]) for s in strata}
    frozen = [(int(case_id), str(stratum)) for case_id, stratum in population]
    return [d.case_id for d in statistics.draw_cases(frozen, allocation, seed)]
