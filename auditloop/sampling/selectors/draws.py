"""Reads for sample draws: who may see which draws, the rows a draw is worked out from (a
fixed number of queries however many cases), a draw previewed without storing anything, and
a stored draw's chosen cases."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import Audit, AuditType
from auditloop.cases.models import ChildCase
from auditloop.sampling.models import Cycle, SampleDraw, SampleDrawCase, SampleDrawPopulation
from auditloop.sampling.rules.draws import DrawResult, DrawSpec, draw_compute
from auditloop.sampling.rules.independence import CaseRow, auditor_rows
from auditloop.sampling.rules.months import months_before


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


def population_rows(spec: DrawSpec) -> list[CaseRow]:
    """The cases the filters match, in one query."""
    cases = ChildCase.objects.all()
    if spec.cohort:
        cases = cases.filter(cohort=spec.cohort)
    if spec.service_ids:
        cases = cases.filter(allocated_team__service_id__in=spec.service_ids)
    if spec.team_id is not None:
        cases = cases.filter(allocated_team_id=spec.team_id)
    if spec.open_on is None:
        cases = cases.filter(is_open=True)
    else:
        opened = Q(opened_on__isnull=True) | Q(opened_on__lte=spec.open_on)
        not_closed = Q(is_open=True, closed_on__isnull=True) | Q(closed_on__gte=spec.open_on)
        cases = cases.filter(opened, not_closed)
    values = cases.values_list(
        "pk",
        "la_child_id",
        "allocated_team_id",
        "allocated_team__name",
        "allocated_team__service_id",
        "allocated_team__service__name",
        "allocated_worker_id",
        "allocated_worker__manager_id",
    )
    return [
        CaseRow(pk, child, team, team_name or "", service, service_name or "", worker, manager)
        for pk, child, team, team_name, service, service_name, worker, manager in values
    ]


def recently_audited(spec: DrawSpec, *, today: datetime.date | None = None) -> set[int]:
    """Ids of cases with an audit started in the last `exclude_months` months (one query). A
    calibration exercise's audits do not count: they judge the auditors, not the case."""
    if spec.exclude_months == 0:
        return set()
    today = today or timezone.localdate()
    cutoff = months_before(today, spec.exclude_months)
    audits = Audit.objects.filter(created_at__date__gte=cutoff).exclude(
        audit_type=AuditType.CALIBRATION
    )
    if spec.cohort:
        audits = audits.filter(case__cohort=spec.cohort)
    return set(audits.values_list("case_id", flat=True))


def draw_preview(
    spec: DrawSpec,
    *,
    auditors: Sequence[StaffMember] = (),
    today: datetime.date | None = None,
) -> DrawResult:
    """The draw these filters and this seed give today, without storing anything."""
    return draw_compute(
        spec=spec,
        rows=population_rows(spec),
        recently_audited=recently_audited(spec, today=today),
        auditors=auditor_rows(auditors),
    )
