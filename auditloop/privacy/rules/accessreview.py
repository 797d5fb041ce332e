"""Unusual reading, as a pure rule: which people, on which days, read the records of many
children who are none of their own business.

A child is a reader's own when the child's case is allocated to the reader or to the reader's
team, or sits in a service the reader oversees, or the reader did, moderated or took part in
an audit of it. Every other child whose case file or audits the reader read that day is
"outside their own". A reader's day is unusual when the number of distinct children outside
their own reaches the council's threshold, unless the reader's role is exempt. Reading the
same child twice, or their case file and an audit, counts once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ReaderScope:
    """What makes a child's records a reader's own business."""

    staff_id: int
    role: str
    team_id: int | None = None
    # The services the reader oversees (an audit lead's or senior leader's).
    service_ids: frozenset[int] = field(default_factory=frozenset)
    # Cases with an audit the reader did, moderated or took part in.
    case_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ChildPlace:
    """Where a child's case sits: its allocated team, that team's service and worker."""

    case_id: int
    team_id: int | None = None
    service_id: int | None = None
    worker_id: int | None = None


@dataclass(frozen=True)
class Thresholds:
    """The council's settings: how many children outside their own a person may read in a
    day before the day is flagged, and the roles never flagged."""

    cases_per_day: int
    exempt_roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class UnusualDay:
    """One flagged day of one reader: how many distinct children outside their own they read,
    and how many children in all."""

    staff_id: int
    day: datetime.date
    outside: int
    children: int


def is_outside_own(reader: ReaderScope, child: ChildPlace) -> bool:
    """Whether `child` is none of `reader`'s business (see the module's docstring)."""
    own = (
        (child.worker_id is not None and child.worker_id == reader.staff_id)
        or (child.team_id is not None and child.team_id == reader.team_id)
        or (child.service_id is not None and child.service_id in reader.service_ids)
        or child.case_id in reader.case_ids
    )
    return not own


def unusual_days(
    reads: Iterable[tuple[int, datetime.date, int]],
    *,
    readers: Mapping[int, ReaderScope],
    places: Mapping[int, ChildPlace],
    thresholds: Thresholds,
) -> list[UnusualDay]:
    """The unusual days among `reads` (staff id, day, case id), busiest first.

    A read whose reader or case is unknown (a login without a staff record, a case since
    deleted) counts for nothing: the rule only judges what it can place."""
    children: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
    outside: dict[tuple[int, datetime.date], set[int]] = defaultdict(set)
    for staff_id, day, case_id in reads:
        reader = readers.get(staff_id)
        child = places.get(case_id)
        if reader is None or child is None or reader.role in thresholds.exempt_roles:
            continue
        children[staff_id, day].add(case_id)
        if is_outside_own(reader, child):
            outside[staff_id, day].add(case_id)
    flagged = [
        UnusualDay(staff_id=staff_id, day=day, outside=len(cases), children=len(children[key]))
        for key, cases in outside.items()
        for staff_id, day in [key]
        if len(cases) >= thresholds.cases_per_day
    ]
    flagged.sort(key=lambda d: (-d.day.toordinal(), -d.outside, d.staff_id))
    return flagged
