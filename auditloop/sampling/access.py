"""Get-for-user helpers for cycles and draws: 404 when the user may not see the object (as for
a missing one), 403 when they may see it but not change it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.sampling.models import Cycle, SampleDraw
from auditloop.sampling.selectors import cycle_can_plan, cycles_visible_to, draws_visible_to


def get_cycle_for_user(user: Any, public_id: UUID | str, *, write: bool = False) -> Cycle:
    """The cycle, if `user` may see it. With write=True, only someone who may plan it."""
    staff = staff_for(user)
    try:
        cycle = cycles_visible_to(staff).get(public_id=public_id)
    except (Cycle.DoesNotExist, ValueError) as exc:
        raise Http404("No cycle found.") from exc
    if write and not cycle_can_plan(staff, cycle):
        raise PermissionDenied("Only an audit lead for every service in this cycle can plan it.")
    return cycle


def get_draw_for_user(user: Any, public_id: UUID | str) -> SampleDraw:
    """The draw, if `user` may see it. (Its page logs the reads of the cases it names.)"""
    staff = staff_for(user)
    try:
        draw = (
            draws_visible_to(staff)
            .select_related("cycle", "tool_version__tool", "created_by__staff")
            .get(public_id=public_id)
        )
    except (SampleDraw.DoesNotExist, ValueError) as exc:
        raise Http404("No sample draw found.") from exc
    return draw
