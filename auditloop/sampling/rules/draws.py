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
    population: list[tuple[int, str]]  # eligible (case id, stratum), in draw order
    exclusions: dict[str, list[int]]
    strata: list[Stratum]
    size: int
    margin_of_error: float | None
    chosen: list[statistics.Drawn]
    child_ids: dict[int, str] = field(default_factory=dict)
    stratum_labels: dict[str, str] = field(default_factory=dict)

    @property
    def population_size(self) -> int:
        return len(self.population)

    @property
    def margin_percent(self) -> float | None:
        """The margin of error in percentage points, to one decimal place."""
        return None if self.margin_of_error is None else round(self.margin_of_error * 100, 1)

    @property
    def excluded(self) -> int:
        return sum(len(ids) for ids in self.exclusions.values())

    def chosen_child_ids(self) -> list[str]:
        return [self.child_ids[d.case_id] for d in self.chosen]


def _stratum(row: CaseRow, by: str) -> tuple[str, str]:
    if by == "team":
        return (f"team-{row.team_id}", row.team_name) if row.team_id else ("team-none", "No team")
    if by == "service":
        if row.service_id:
            return f"service-{row.service_id}", row.service_name
        return "service-none", "No service"
    return "all", "All cases"


def sample_size(spec: DrawSpec, population: int) -> int:
    if spec.size_method == "count":
        return min(population, spec.size or 0)
    if spec.size_method == "percentage":
        return statistics.percentage_size(population=population, percentage=spec.percentage or 0)
    return statistics.cochran_size(
        population=population, confidence=spec.confidence, margin=spec.margin or 0
    )


def draw_compute(
    *,
    spec: DrawSpec,
    rows: Sequence[CaseRow],
    recently_audited: set[int],
    auditors: Sequence[AuditorRow] = (),
) -> DrawResult:
    """Exclude, size, allocate and draw. Pure: the same arguments give the same result."""
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
    # A stable order that does not depend on the database's collation or row order.
    eligible.sort(key=lambda r: (r.la_child_id, r.pk))
    labels: dict[str, str] = {}
    population: list[tuple[int, str]] = []
    counts: dict[str, int] = {}
    for row in eligible:
        key, label = _stratum(row, spec.stratify)
        labels[key] = label
        counts[key] = counts.get(key, 0) + 1
        population.append((row.pk, key))
    size = sample_size(spec, len(population))
    allocate = (
        statistics.allocate_equal
        if spec.allocation == "equal"
        else statistics.allocate_proportional
    )
    allocation = allocate(counts, size)
    chosen = statistics.draw_cases(population, allocation, spec.seed)
    return DrawResult(
        spec=spec,
        matched=len(rows),
        population=population,
        exclusions=exclusions,
        strata=[Stratum(k, labels[k], counts[k], allocation[k]) for k in sorted(counts)],
        size=size,
        margin_of_error=statistics.margin_of_error(
            sample=size, population=len(population), confidence=spec.confidence
        ),
        chosen=chosen,
        child_ids={r.pk: r.la_child_id for r in rows},
        stratum_labels=labels,
    )


def draw_rerun(
    *, population: Sequence[Sequence[Any]], strata: Sequence[dict[str, Any]], seed: int
) -> list[int]:
    """Re-run a stored draw from its frozen population: the case ids, in draw order. The
    population may leave out strata the draw took nothing from."""
    allocation = {s["key"]: int(s["allocated"]) for s in strata}
    frozen = [(int(case_id), str(stratum)) for case_id, stratum in population]
    return [d.case_id for d in statistics.draw_cases(frozen, allocation, seed)]
