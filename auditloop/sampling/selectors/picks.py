"""Reads for the pick list: the cases an audit lead may choose for a cycle (open, in its
services), the list still being put together, and who in the pool is independent of them."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.cases.models import ChildCase
from auditloop.sampling.models import Cycle, SampleDraw, SampleDrawCase
from auditloop.sampling.rules.independence import auditor_is_independent


def pick_list_of(cycle: Cycle) -> SampleDraw | None:
    """The cycle's pick list still being put together, if there is one."""
    return SampleDraw.objects.filter(cycle=cycle, is_draft=True).first()


# What an audit lead is told when the case they look for is not one they may choose.
CASE_NOT_FOUND = "No open case with that LA child ID in this cycle's services."


def case_in_cycle(cycle: Cycle, case: ChildCase) -> bool:
    return (
        case.is_open
        and case.allocated_team_id is not None
        and cycle.services.filter(teams__pk=case.allocated_team_id).exists()
    )


def independent_of(pool: Sequence[StaffMember], cases: Sequence[ChildCase]) -> list[StaffMember]:
    """Those in `pool` who hold or manage none of `cases` (select_related their workers)."""
    return [a for a in pool if all(auditor_is_independent(auditor=a, case=c) for c in cases)]


def holding(pool: Sequence[StaffMember], case: ChildCase) -> list[StaffMember]:
    """Those in `pool` who hold or manage `case`."""
    return [a for a in pool if not auditor_is_independent(auditor=a, case=case)]


def _cycle_open_cases(cycle: Cycle) -> QuerySet[ChildCase]:
    return ChildCase.objects.filter(
        is_open=True, allocated_team__service__in=cycle.services.all()
    ).select_related("allocated_team", "allocated_worker")


def cycle_case_by_child_id(cycle: Cycle, la_child_id: str) -> ChildCase | None:
    """The open case in the cycle's services with this LA child ID (as typed, else ignoring
    capitals). A case outside the cycle's services is not found, exactly as a missing one."""
    typed = la_child_id.strip()
    if not typed:
        return None
    found = list(_cycle_open_cases(cycle).filter(la_child_id__iexact=typed)[:10])
    exact = [c for c in found if c.la_child_id == typed]
    best = exact or found
    return best[0] if best else None


def cycle_case(cycle: Cycle, public_id: UUID | str) -> ChildCase | None:
    """The open case in the cycle's services with this public id, or None."""
    try:
        return _cycle_open_cases(cycle).get(public_id=public_id)
    except (ChildCase.DoesNotExist, ValueError, ValidationError):
        return None


def pick_on_list(cycle: Cycle, case_public_id: UUID | str) -> SampleDrawCase | None:
    """The row of the cycle's pick list for the case with this public id, or None."""
    draft = pick_list_of(cycle)
    if draft is None:
        return None
    try:
        return draft.chosen.select_related("case").get(case__public_id=case_public_id)
    except (SampleDrawCase.DoesNotExist, ValueError, ValidationError):
        return None


def pick_list_rows(draw: SampleDraw | None) -> list[SampleDrawCase]:
    if draw is None:
        return []
    return list(
        draw.chosen.select_related(
            "case__allocated_team", "case__allocated_worker", "added_by__staff"
        ).order_by("position")
    )
