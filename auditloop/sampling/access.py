"""Who may plan and read what in sampling, and the get-for-user helpers for cycles and draws.

Every `can_*` lives here, with the refusal it gives written once beside it: a view asks (to
show a button, or through a get-for-user helper: 404 when the person may not see the object,
as for a missing one, 403 when they may see it but not change it), and a service enforces the
same function before it writes."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.core.refusals import Refused
from auditloop.sampling.models import Cycle, SampleDraw
from auditloop.sampling.selectors.cycles import cycles_visible_to
from auditloop.sampling.selectors.draws import draws_visible_to

# Planning audits is the audit lead's (the README's roles table): it shows children's cases and
# their audits, which an administrator, holding configuration only, does not see. Senior
# leaders read the cycles and their overview.
PLANNERS = (Role.MODERATOR,)
READERS = (Role.MODERATOR, Role.SENIOR_LEADER)

CANNOT_PLAN = "Only an audit lead for every service in this cycle can plan it."
CANNOT_DRAW = "Only an audit lead for the services drawn from can draw."


def can_plan_cycles(staff: StaffMember) -> bool:
    """Whether `staff` plans cycles at all (an audit lead)."""
    return staff.role in PLANNERS


def can_plan_services(staff: StaffMember | None, service_ids: Iterable[int]) -> bool:
    """An audit lead who oversees every one of the services: who may plan a cycle covering
    them, or draw from them."""
    if staff is None or not can_plan_cycles(staff):
        return False
    return set(service_ids) <= set(services_overseen(staff))


def can_plan(staff: StaffMember | None, cycle: Cycle) -> bool:
    """An audit lead who oversees every service the cycle covers."""
    return can_plan_services(staff, (s.pk for s in cycle.services.all()))


def require_can_plan(staff: StaffMember | None, cycle: Cycle) -> None:
    """For a service: refuse unless `staff` may plan the cycle."""
    if not can_plan(staff, cycle):
        raise Refused(CANNOT_PLAN)


def can_draw_outside_cycle(staff: StaffMember | None, service_ids: Iterable[int]) -> bool:
    """Audit leads, when every service drawn from (and there must be some) is one they
    oversee. (The command line draws as nobody, and decides for itself.)"""
    ids = set(service_ids)
    return bool(ids) and can_plan_services(staff, ids)


def get_cycle_for_user(staff: StaffMember, public_id: UUID | str, *, write: bool = False) -> Cycle:
    """The cycle, if `staff` may see it. With write=True, only someone who may plan it."""
    try:
        cycle = cycles_visible_to(staff).get(public_id=public_id)
    except (Cycle.DoesNotExist, ValueError) as exc:
        raise Http404("No cycle found.") from exc
    if write and not can_plan(staff, cycle):
        raise PermissionDenied(CANNOT_PLAN)
    return cycle


def get_draw_for_user(staff: StaffMember, public_id: UUID | str) -> SampleDraw:
    """The draw, if `staff` may see it. (Its page logs the reads of the cases it names.)"""
    try:
        draw = (
            draws_visible_to(staff)
            .select_related("cycle", "tool_version__tool", "created_by__staff")
            .get(public_id=public_id)
        )
    except (SampleDraw.DoesNotExist, ValueError) as exc:
        raise Http404("No sample draw found.") from exc
    return draw
