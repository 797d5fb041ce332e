"""Sharing audits out among a pool of auditors: evenly, and never to someone who holds or
manages the case. Pure, so the fairness rules can be tested on their own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

NOBODY_INDEPENDENT = "Every auditor in the pool holds or manages this case"
NOBODY_FREE = "Every independent auditor has reached their quota for the month"
NO_POOL = "The cycle has no auditors"


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    # Audits a month the auditor's quota allows; None for no limit.
    capacity: int | None = None


@dataclass(frozen=True)
class Assignment:
    case_id: int
    auditor_id: int | None
    reason: str = ""  # why nobody was assigned


def assignments_plan(
    case_ids: Sequence[int],
    auditors: Sequence[Candidate],
    *,
    independent: Callable[[int, int], bool],
    loads: Mapping[int, int] | None = None,
) -> list[Assignment]:
    """One assignment per case, in the order given: the least-loaded independent auditor with
    room under their quota, ties broken by name then id so the result is stable.

    `independent(auditor_id, case_id)` decides independence; `loads` are the audits each
    auditor already has in the month."""
    load = {a.pk: (loads or {}).get(a.pk, 0) for a in auditors}
    out: list[Assignment] = []
    for case_id in case_ids:
        if not auditors:
            out.append(Assignment(case_id, None, NO_POOL))
            continue
        fit = [a for a in auditors if independent(a.pk, case_id)]
        if not fit:
            out.append(Assignment(case_id, None, NOBODY_INDEPENDENT))
            continue
        free = [a for a in fit if a.capacity is None or load[a.pk] < a.capacity]
        if not free:
            out.append(Assignment(case_id, None, NOBODY_FREE))
            continue
        chosen = min(free, key=lambda a: (load[a.pk], a.name, a.pk))
        load[chosen.pk] += 1
        out.append(Assignment(case_id, chosen.pk))
    return out
